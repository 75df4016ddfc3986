import type { CallRecord } from '../cdr/record.ts';
import { isoUtc } from '../cdr/time.ts';
import { counted } from '../detect/format.ts';
import { byCloseness } from './closest-matches.ts';
import type { SearchWindow } from './match.ts';
import type { TracebackRequest } from './request.ts';

/** One matching call as the answer cites it (docs/traceback.md), plus the raw row as evidence. */
export interface TracebackMatch {
  call_id: string;
  customer_id: string;
  trunk_id: string;
  switch_id: string;
  source_ip: string;
  start_time: string;
  /** A, B, C, '' (unsigned), or null when the switch's CDRs do not report attestation */
  attestation: string | null;
  batch: string;
  line: number;
  /** the CDR row exactly as the switch wrote it */
  raw: string;
}

export interface TracebackAnswer {
  traceback_id: string;
  status: 'found' | 'not_found';
  deadline: string;
  matches: TracebackMatch[];
  searched: {
    batches: number;
    from: string;
    to: string;
    switch_id?: string;
    /** present when more calls matched than the answer lists (the closest in time are listed) */
    matched?: number;
  };
  /** one human sentence: what was found, or that the call was not on our network and what was searched */
  note: string;
  /**
   * present when the request's caller ID is no number a carrier could assign: `invalid` (not a number
   * in E.164, too short, letters; an area code or exchange no one can hold) or `withheld`, which tells
   * the consortium the caller ID was spoofed or hidden
   */
  caller_id?: 'invalid' | 'withheld';
  /**
   * present when the call this answer names was traced back before under that traceback id: the
   * customer's traceback history counts the call once, and no second escalation is raised for it
   */
  same_call_as?: string;
}

/**
 * What the answer says of the request's caller ID (see caller_id). A 555-01XX number, fictitious, is
 * left unmarked: it is the shape of examples and test calls.
 */
function callerIdState(request: TracebackRequest): 'invalid' | 'withheld' | null {
  const cls = request.callingClass;
  if (cls === 'blank') return 'withheld';
  return cls === 'invalid_digits' || cls === 'invalid_npa' || cls === 'invalid_nxx' ? 'invalid' : null;
}

const CALLER_ID_NOTE = {
  invalid: 'the caller ID is not a valid phone number',
  withheld: 'the caller ID was withheld',
};

export function matchFrom(record: CallRecord, raw: string, batch: string, switchId: string): TracebackMatch {
  return {
    call_id: record.callId,
    customer_id: record.customerId,
    trunk_id: record.trunkId,
    switch_id: switchId,
    source_ip: record.sourceIp,
    start_time: isoUtc(record.startMs),
    attestation: record.attestation === '?' ? null : record.attestation,
    batch,
    line: record.line,
    // the row without its line terminator; a quoted newline inside the row stays
    raw: raw.replace(/\r?\n$/, ''),
  };
}

export function buildAnswer(
  request: TracebackRequest,
  matches: TracebackMatch[],
  searched: {
    batches: number;
    window: SearchWindow;
    matched?: number;
    /**
     * 'files': only the batches someone named were searched (an offline lookup), so not finding the
     * call says nothing about the rest of the network
     */
    scope?: 'network' | 'files';
  },
  deadlineMs: number,
): TracebackAnswer {
  const sorted = [...matches].sort(byCloseness(request.callMs));
  const more = searched.matched !== undefined && searched.matched > sorted.length ? searched.matched : null;
  const from = isoUtc(searched.window.fromMs);
  const to = isoUtc(searched.window.toMs);
  const where = `${counted(searched.batches, 'batch', 'batches')}${request.switchId ? ` of switch ${request.switchId}` : ''}`;
  const customers = [...new Set(sorted.map((m) => `${m.customer_id}${m.trunk_id ? `/${m.trunk_id}` : ''}`))];
  const callerId = callerIdState(request);
  const found =
    sorted.length > 0
      ? `${counted(more ?? sorted.length, 'matching call')}${more !== null ? ` (the ${sorted.length} closest in time listed)` : ''} received from ${customers.join(', ')}${more !== null ? ' and maybe others' : ''}`
      : searched.batches === 0
        ? `no CDR batch of ${from} to ${to}${request.switchId ? ` from switch ${request.switchId}` : ''} was on record, so nothing was searched: this does not show the call never crossed our network (batches may arrive late; the request is searched again when one of its time is ingested)`
        : searched.scope === 'files'
          ? `not found in the given files: no call with these calling and called numbers started between ${from} and ${to} in ${where} (only these were searched; the network's other batches may hold it)`
          : `not found on our network: no call with these calling and called numbers started between ${from} and ${to} in ${where}`;
  return {
    traceback_id: request.tracebackId,
    status: sorted.length > 0 ? 'found' : 'not_found',
    deadline: isoUtc(deadlineMs),
    matches: sorted,
    searched: {
      batches: searched.batches,
      from,
      to,
      ...(request.switchId ? { switch_id: request.switchId } : {}),
      ...(more !== null ? { matched: more } : {}),
    },
    note: callerId !== null ? `${found}; ${CALLER_ID_NOTE[callerId]}` : found,
    ...(callerId !== null ? { caller_id: callerId } : {}),
  };
}
