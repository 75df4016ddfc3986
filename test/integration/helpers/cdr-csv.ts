/**
 * Canonical CDR CSV rows (docs/input-contract.md) for local-stack tests: one row per call, with the
 * few fields a test varies named and the rest filled in like a plain answered call.
 */
export const CDR_HEADER =
  'call_id,start_time,answer_time,end_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,disposition,attestation,verstat,source_ip';

export interface CallSpec {
  callId: string;
  startMs: number;
  customerId: string;
  calling: string;
  called: string;
  trunkId?: string;
  /** billable seconds; 0 makes the call unanswered */
  durationS?: number;
  attestation?: 'A' | 'B' | 'C' | '';
}

const iso = (ms: number) => new Date(ms).toISOString();

export function cdrRow(c: CallSpec): string {
  const duration = c.durationS ?? 45;
  const answered = duration > 0;
  const answerMs = c.startMs + 3000;
  return [
    c.callId,
    iso(c.startMs),
    answered ? iso(answerMs) : '',
    iso(answerMs + duration * 1000),
    String(duration),
    c.customerId,
    c.trunkId ?? 'T1',
    c.calling,
    c.called,
    answered ? '200' : '487',
    answered ? 'ANSWERED' : 'NO_ANSWER',
    c.attestation ?? 'A',
    c.attestation === 'A' || c.attestation === undefined ? 'TN-Validation-Passed' : 'No-TN-Validation',
    '198.51.100.7',
  ].join(',');
}

/** A CSV batch: header, then the rows (calls, or raw lines a test wants quarantined). */
export function cdrCsv(rows: string[]): string {
  return `${CDR_HEADER}\n${rows.join('\n')}\n`;
}
