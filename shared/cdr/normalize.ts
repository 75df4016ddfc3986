import { normalizeNumber } from './phone.ts';
import { NOT_REPORTED, type RawCall } from './raw-call.ts';
import type { Attestation, CallRecord, Verstat } from './record.ts';
import { parseTimestamp, type ZoneClock } from './time.ts';

/** Thrown for a row that cannot be used; the message becomes the quarantine reason. */
export class RowError extends Error {
  override name = 'RowError';
}

/** The disposition words a row may carry (the canonical fast lane numbers them in this order). */
export const DISPOSITION_NAMES = [
  'ANSWERED',
  'NO_ANSWER',
  'BUSY',
  'FAILED',
  'CANCELLED',
  'REJECTED',
  'CONGESTION',
] as const;
const DISPOSITIONS = new Set<string>(DISPOSITION_NAMES);
/** The verstat values a row may carry, as the contract spells them. */
export const VERSTAT_NAMES: readonly Verstat[] = [
  'TN-Validation-Passed',
  'TN-Validation-Failed',
  'No-TN-Validation',
];
/** any case of a verstat name (or empty) -> its contract spelling */
const VERSTATS: Record<string, Verstat> = Object.fromEntries([
  ...VERSTAT_NAMES.map((v) => [v.toLowerCase(), v]),
  ['', ''],
]);

function time(field: string, value: string, zone: ZoneClock | null, required: boolean): number | null {
  if (value.trim() === '') {
    if (required) throw new RowError(`${field} is empty`);
    return null;
  }
  const ms = parseTimestamp(value, zone);
  if (Number.isNaN(ms)) {
    const hint = zone ? '' : ' (times without an offset need --timezone)';
    throw new RowError(
      `${field} '${value.slice(0, 40)}' is not an ISO 8601 time with offset or epoch${hint}`,
    );
  }
  return ms;
}

/**
 * Turns a raw call into a normalized CallRecord, or throws RowError saying which field is wrong.
 * The answered rule is the contract's: sip_code 200, else disposition ANSWERED, else answer_time
 * set, else duration_s > 0.
 */
export function normalizeCall(raw: RawCall, line: number, zone: ZoneClock | null): CallRecord {
  const callId = raw.call_id.trim();
  if (callId === '') throw new RowError('call_id is empty');
  const customerId = raw.customer_id.trim();
  if (customerId === '') throw new RowError('customer_id is empty');
  const startMs = time('start_time', raw.start_time, zone, true) as number;
  const answerMs = time('answer_time', raw.answer_time, zone, false);
  const endMs = time('end_time', raw.end_time, zone, false);

  let sipCode: number | null = null;
  const sipText = raw.sip_code.trim();
  if (sipText !== '') {
    sipCode = Number(sipText);
    if (!Number.isInteger(sipCode) || sipCode < 100 || sipCode > 699) {
      throw new RowError(`sip_code '${sipText.slice(0, 20)}' is not a SIP response code (100-699)`);
    }
  }
  const disposition = raw.disposition.trim().toUpperCase().replace(' ', '_');
  if (disposition !== '' && !DISPOSITIONS.has(disposition)) {
    throw new RowError(
      `disposition '${raw.disposition.slice(0, 20)}' is not one of ${[...DISPOSITIONS].join(', ')}`,
    );
  }

  let durationS: number;
  const durText = raw.duration_s.trim();
  if (durText !== '') {
    durationS = Number(durText);
    if (!Number.isFinite(durationS) || durationS < 0 || !/^\d+(\.\d+)?$/.test(durText)) {
      throw new RowError(`duration_s '${durText.slice(0, 20)}' is not a whole number of seconds >= 0`);
    }
    durationS = Math.round(durationS);
  } else if (answerMs !== null && endMs !== null) {
    if (endMs < answerMs) throw new RowError('end_time is before answer_time');
    durationS = Math.round((endMs - answerMs) / 1000);
  } else {
    durationS = 0;
  }

  const answered =
    sipCode !== null
      ? sipCode === 200
      : disposition !== ''
        ? disposition === 'ANSWERED'
        : answerMs !== null
          ? true
          : durationS > 0;

  const att = raw.attestation === NOT_REPORTED ? '?' : raw.attestation.trim().toUpperCase();
  if (att !== '' && att !== '?' && att !== 'A' && att !== 'B' && att !== 'C') {
    throw new RowError(`attestation '${raw.attestation.slice(0, 10)}' is not A, B, C or empty`);
  }
  const verText = raw.verstat.trim().toLowerCase();
  const ver = VERSTATS[verText];
  if (ver === undefined)
    throw new RowError(`verstat '${raw.verstat.slice(0, 30)}' is not a known verstat value`);

  const calling = normalizeNumber(raw.calling_number);
  const called = normalizeNumber(raw.called_number);
  if (called.cls === 'blank') throw new RowError('called_number is empty');

  return {
    callId,
    startMs,
    answerMs,
    endMs,
    durationS: answered ? durationS : 0,
    answered,
    customerId,
    trunkId: raw.trunk_id.trim(),
    calling: calling.value,
    callingClass: calling.cls,
    called: called.value,
    calledClass: called.cls,
    sipCode,
    disposition,
    attestation: att as Attestation,
    verstat: ver !== '' ? ver : calling.verstat,
    sourceIp: raw.source_ip.trim(),
    line,
  };
}
