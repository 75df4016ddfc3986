import { numberKey } from './number-key.ts';
import type { Attestation, CallRecord, NumberClass, Verstat } from './record.ts';
import { HOUR_MS } from './time.ts';

/**
 * One call reduced to what aggregation reads, as numbers and interned strings. The canonical fast
 * path fills ONE instance per parser and hands it to `BatchSink.packed` row after row, so a row costs
 * no allocation: a sink must copy what it keeps. Numbers are keys (`numberKey` of the E.164 text:
 * its digits as one integer), which the fast path only produces for numbers it normalized itself.
 */
/** The SIP code a rejection reported by disposition alone counts as: 603 Decline, as a rejected call maps to. */
export const REJECTED_SIP_CODE = 603;

export class PackedCall {
  /** 1-based physical line where the row starts */
  line = 0;
  /** the call id, trimmed; '' unless the sink asked for call ids (BatchSink.packedCallIds) */
  callId = '';
  /** FNV-1a of the call id's bytes (recent-calls.ts callIdHash), whether or not the id is kept */
  callIdHash = 0;
  /**
   * the signalling source address as an IPv4 value (ipv4Value); -1 when the row has none, or the sink
   * did not ask for addresses (BatchSink.packedSourceIps)
   */
  sourceIpV4 = -1;
  startMs = 0;
  /** floor(startMs / 1 h): the UTC hour of the call as a small integer */
  hourIdx = 0;
  /** billable seconds, 0 when unanswered (as in CallRecord) */
  durationS = 0;
  answered = false;
  /**
   * the row's SIP code; for a row without one whose disposition is REJECTED, REJECTED_SIP_CODE (a
   * switch that logs the outcome only, or a TDM leg, still reports the decline); else 0
   */
  sipCode = 0;
  customerId = '';
  /**
   * A small number the reader gave this customer id (its interner's index), -1 if none: lets a sink
   * find per-customer state in an array, after checking the id itself (numbers of different readers
   * can collide)
   */
  customerSlot = -1;
  /** the customer and trunk ids' FNV-1a hashes, mixed (recent-calls.ts partyHash) */
  partyHash = 0;
  trunkId = '';
  /** -1 for a blank caller ID */
  callingKey = -1;
  callingClass: NumberClass = 'blank';
  /** NPA * 1000 + NXX of a +1 caller ID (the 6 digits after +1), else -1 */
  callingNpaNxx = -1;
  calledKey = 0;
  calledClass: NumberClass = 'valid';
  /** NPA * 1000 + NXX of a +1 called number, else -1 */
  calledNpaNxx = -1;
  attestation: Attestation = '';
  verstat: Verstat = '';
}

/**
 * A record of the general lane as the fast lane would have packed it (numbers as their keys, a
 * rejection without a SIP code as REJECTED_SIP_CODE), into `p`: what aggregation and the repeat check
 * read, whichever lane a row came by. The call id and the hashes are left as they were.
 */
export function packRecord(r: CallRecord, p: PackedCall): PackedCall {
  p.line = r.line;
  p.startMs = r.startMs;
  p.hourIdx = Math.floor(r.startMs / HOUR_MS);
  p.durationS = r.durationS;
  p.answered = r.answered;
  p.sipCode = r.sipCode ?? (r.disposition === 'REJECTED' ? REJECTED_SIP_CODE : 0);
  p.customerId = r.customerId;
  p.trunkId = r.trunkId;
  p.callingKey = r.callingClass === 'blank' ? -1 : numberKey(r.calling);
  p.callingClass = r.callingClass;
  p.calledKey = numberKey(r.called);
  p.calledClass = r.calledClass;
  p.attestation = r.attestation;
  p.verstat = r.verstat;
  return p;
}
