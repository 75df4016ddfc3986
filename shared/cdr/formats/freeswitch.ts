import { type CallOrigin, type CustomerAttribution, PEER_NAMES_ONLY } from '../attribution.ts';
import type { CsvRecord } from '../csv-tokenizer.ts';
import {
  CANONICAL_SOURCE,
  emptyRawCall,
  NOT_REPORTED,
  type RawCall,
  type SourceColumns,
} from '../raw-call.ts';
import { isZeroDateTime } from '../time.ts';

/**
 * FreeSWITCH `mod_cdr_csv` default ("example") template, quoted, no header, 15 columns:
 * caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp,
 * end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec.
 * Times are local wall-clock.
 */
export const FREESWITCH_COLUMNS = 15;

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Any case and blanks around: the cause is read so, and a batch whose first cause is written so is still this layout. */
export function looksLikeFreeswitch(rec: CsvRecord): boolean {
  return (
    rec.count === FREESWITCH_COLUMNS &&
    LOCAL_TIME.test(rec.field(4)) &&
    /^[A-Za-z_]+$/.test(rec.field(9).trim())
  );
}

/** Q.850 hangup causes to the dispositions and SIP codes the detectors understand. */
const CAUSES: Record<string, { disposition: string; sip: string }> = {
  NORMAL_CLEARING: { disposition: '', sip: '' },
  USER_BUSY: { disposition: 'BUSY', sip: '486' },
  NO_ANSWER: { disposition: 'NO_ANSWER', sip: '480' },
  NO_USER_RESPONSE: { disposition: 'NO_ANSWER', sip: '408' },
  ORIGINATOR_CANCEL: { disposition: 'CANCELLED', sip: '487' },
  CALL_REJECTED: { disposition: 'REJECTED', sip: '603' },
  UNALLOCATED_NUMBER: { disposition: 'FAILED', sip: '404' },
  NO_ROUTE_DESTINATION: { disposition: 'FAILED', sip: '404' },
  USER_NOT_REGISTERED: { disposition: 'FAILED', sip: '404' },
  INVALID_NUMBER_FORMAT: { disposition: 'FAILED', sip: '484' },
  NORMAL_TEMPORARY_FAILURE: { disposition: 'FAILED', sip: '503' },
  RECOVERY_ON_TIMER_EXPIRE: { disposition: 'FAILED', sip: '408' },
  INVALID_GATEWAY: { disposition: 'FAILED', sip: '502' },
};

/**
 * Whether the row itself shows the call was answered: an answer_stamp, or billed seconds. Such a
 * call was answered whatever it ended with (a transfer, NORMAL_UNSPECIFIED, a media timeout), so
 * its hangup cause must not set a disposition or SIP code: those would outrank the answer time in
 * the contract's answered rule. Only the fields that rule reads itself count, so a row is never
 * answered here unless the general lane would take it as answered without a cause.
 */
function showsAnswer(raw: RawCall): boolean {
  const answer = raw.answer_time.trim();
  // the zero date is no answer time (normalizeCall reads it as empty too)
  return (answer !== '' && !isZeroDateTime(answer)) || Math.round(Number(raw.duration_s.trim())) > 0; // as normalizeCall rounds it
}

/**
 * FreeSWITCH's stock dialplan contexts: every registered user lands in `default`, every gateway's
 * inbound call in `public`. They say nothing about whose call it is; a per-tenant context does.
 */
const STOCK_CONTEXTS = new Set(['default', 'public', 'features']);

/** Where a FreeSWITCH call came from: its dialplan context (the default template has no gateway). */
export function freeswitchOrigin(context: string): CallOrigin {
  const peer = context.trim();
  return { peer, namesCustomer: peer !== '' && !STOCK_CONTEXTS.has(peer.toLowerCase()) };
}

/** The template's columns each field is read from, as the reasons of a quarantined row name them. */
const FREESWITCH_SOURCE: SourceColumns = {
  ...CANONICAL_SOURCE,
  call_id: 'uuid',
  start_time: 'start_stamp',
  answer_time: 'answer_stamp',
  end_time: 'end_stamp',
  duration_s: 'billsec',
  customer_id: 'accountcode',
  trunk_id: 'context',
  calling_number: 'caller_id_number',
  called_number: 'destination_number',
  sip_code: 'hangup_cause',
  disposition: 'hangup_cause',
};

/** The same for a row whose customer came from its context (no accountcode). */
const FREESWITCH_BY_CONTEXT: SourceColumns = { ...FREESWITCH_SOURCE, customer_id: 'context' };

/** The fields of a row that hold ids: context (read as the trunk), uuid, bleg_uuid and accountcode. */
export const FREESWITCH_ID_FIELDS: readonly number[] = [3, 10, 11, 12];

/**
 * One mod_cdr_csv row. accountcode names the customer; when it is empty, the switch's attribution
 * finds the customer from the context (trunk map, or a per-tenant context name), or the row is
 * unattributed.
 */
export function freeswitchRow(rec: CsvRecord, attribution: CustomerAttribution = PEER_NAMES_ONLY): RawCall {
  if (rec.count !== FREESWITCH_COLUMNS) {
    throw new RangeError(`has ${rec.count} fields, the FreeSWITCH default template has 15`);
  }
  const raw = emptyRawCall();
  raw.attestation = NOT_REPORTED; // the default templates carry no STIR/SHAKEN fields
  raw.calling_number = rec.field(1);
  raw.called_number = rec.field(2);
  raw.start_time = rec.field(4);
  raw.answer_time = rec.field(5);
  raw.end_time = rec.field(6);
  raw.duration_s = rec.field(8);
  if (!showsAnswer(raw)) {
    const cause = rec.field(9).trim().toUpperCase();
    const mapped = CAUSES[cause];
    if (mapped) {
      raw.disposition = mapped.disposition;
      raw.sip_code = mapped.sip;
    } else if (cause !== '') {
      raw.disposition = 'FAILED';
    }
  }
  raw.call_id = rec.field(10);
  const accountcode = rec.field(12).trim();
  raw.customer_id = accountcode || attribution.customerFor(freeswitchOrigin(rec.field(3)));
  raw.columns = accountcode === '' ? FREESWITCH_BY_CONTEXT : FREESWITCH_SOURCE;
  raw.trunk_id = rec.field(3);
  return raw;
}
