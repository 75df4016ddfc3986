import { inScientificNotation, normalizeCalledNumber, normalizeNumber } from './phone.ts';
import { defaultPlausibility, type Plausibility, TIME_ORDER_SLACK_MS } from './plausibility.ts';
import { CANONICAL_COLUMNS, NOT_REPORTED, type RawCall, type SourceColumns } from './raw-call.ts';
import type { Attestation, CallRecord, Verstat } from './record.ts';
import type { RepeatedHour } from './repeated-hour.ts';
import {
  isoUtc,
  isZeroDateTime,
  parseTimestamp,
  WALL_REPEATED,
  WALL_SINGLE,
  WALL_SKIPPED,
  type ZoneClock,
} from './time.ts';

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
/**
 * Each disposition by its letters alone (any case, spaces, hyphens or underscores anywhere), and the
 * other spellings exporters use for the same outcome: `No Answer`, `NOANSWER`, `Canceled`.
 */
const DISPOSITION_BY_LETTERS = new Map<string, string>([
  ...DISPOSITION_NAMES.map((d): [string, string] => [dispositionLetters(d), d]),
  ['CANCELED', 'CANCELLED'],
  ['CANCEL', 'CANCELLED'],
  ['NOANSWERED', 'NO_ANSWER'],
  ['UNANSWERED', 'NO_ANSWER'],
]);

function dispositionLetters(text: string): string {
  return text.toUpperCase().replace(/[\s_-]+/g, '');
}
/** The verstat values a row may carry, as the contract spells them. */
export const VERSTAT_NAMES: readonly Verstat[] = [
  'TN-Validation-Passed',
  'TN-Validation-Failed',
  'No-TN-Validation',
];
/**
 * A verstat value by its letters (any case, spaces, hyphens or underscores anywhere), or empty, -> its
 * contract spelling. Some carriers append the call's attestation to it (`TN-Validation-Passed-A`);
 * the suffix is dropped, as the attestation has a column of its own.
 */
const VERSTATS: Record<string, Verstat> = Object.fromEntries([
  ...VERSTAT_NAMES.flatMap((v) => ['', 'a', 'b', 'c'].map((suffix) => [verstatLetters(v) + suffix, v])),
  ['', ''],
]);

function verstatLetters(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * What a row's local time without an offset needs, said for whoever reads the reason: ingest and the
 * traceback function take the zone from the switch's entry in the switch configuration; analyze and
 * traceback lookup from --timezone (cli/errors.ts names that option only where it exists).
 */
const NO_ZONE_FIX =
  "times without an offset need the batch's time zone: the switch's timezone in the switch configuration, or --timezone for analyze and traceback lookup";

function time(
  field: string,
  value: string,
  zone: ZoneClock | null,
  required: boolean,
  limits: Plausibility,
): number | null {
  if (value.trim() === '') {
    if (required) throw new RowError(`${field} is empty`);
    return null;
  }
  // an optional time written as the zero date never happened (a start_time so written stays an error)
  if (!required && isZeroDateTime(value)) return null;
  // (read by the caller after this returns: a time with an offset does not go through the zone)
  if (zone !== null) zone.wallKind = WALL_SINGLE;
  const ms = parseTimestamp(value, zone);
  if (Number.isNaN(ms)) {
    // Quarantined even when the row holds the instant elsewhere (Asterisk's uniqueid): a switch that
    // keeps this zone's time never writes an hour its clocks skipped, so its clock or the zone
    // configured for it is wrong, and every other row of the batch may be an hour off too. Someone
    // has to see that; mending the one row would hide it.
    if (zone !== null && zone.wallKind === WALL_SKIPPED)
      throw new RowError(
        `${field} '${value.slice(0, 40)}' does not exist in ${zone.zone}: its clocks skip that hour when they go forward, so the switch's clock or its time zone in the switch configuration is wrong`,
      );
    // digits only are an epoch, with fewer or more digits than one of a plausible time (9 to 14)
    if (EPOCH.test(value.trim()))
      throw outsideRange(`${field} '${value.slice(0, 40)}' read as epoch`, limits);
    // every reader sees this reason (ingest's quarantine, analyze, traceback lookup): it names both fixes
    const hint = zone ? '' : ` (${NO_ZONE_FIX})`;
    throw new RowError(
      `${field} '${value.slice(0, 40)}' is not an ISO 8601 time with offset (within ±14:00) or epoch${hint}`,
    );
  }
  if (ms < limits.earliestMs || ms > limits.latestMs)
    throw outsideRange(`${field} '${value.slice(0, 40)}'`, limits);
  return ms;
}

const EPOCH = /^\d+(?:\.\d+)?$/;

function outsideRange(what: string, limits: Plausibility): RowError {
  return new RowError(
    `${what} is outside the plausible range ${isoUtc(limits.earliestMs)} to ${isoUtc(limits.latestMs)}`,
  );
}

/**
 * How long after the moment a call was made its start may be and still be told by it. Asterisk makes
 * the uniqueid when it makes the channel, and starts the call's record then too, to the second; a
 * record started later (a transfer) is left to the rule rather than read from a time far from it.
 */
const CREATED_TO_START_MS = 5 * 60_000;

/** start_time's instant when its wall time is `first` or `later` (see RepeatedHour). */
function startInRepeatedHour(first: number, later: number, raw: RawCall, repeated?: RepeatedHour): number {
  const created = repeated ? repeated.createdMs(raw) : Number.NaN;
  const told = (ms: number) => ms >= created - TIME_ORDER_SLACK_MS && ms <= created + CREATED_TO_START_MS;
  if (told(first)) return first;
  if (told(later)) return later;
  if (repeated) repeated.guessed = true;
  return first;
}

/**
 * answer_time's or end_time's instant when its wall time is in the repeated hour: the first that is
 * not before the start, as times of one call are (an end at 01:10 after a start at 01:55 is the second
 * 01:10); else the first, which checkOrder then refuses.
 */
function afterStart(ms: number | null, zone: ZoneClock | null, startMs: number): number | null {
  if (ms === null || zone === null || zone.wallKind !== WALL_REPEATED) return ms;
  return ms < startMs - TIME_ORDER_SLACK_MS ? zone.laterMs : ms;
}

/** fields that name things: kept as keys, so a byte the switch did not write must not merge two of them */
const IDENTIFIERS = ['call_id', 'customer_id', 'trunk_id'] as const;

/**
 * NUL is not a value in any field read (it would read as "not reported"), and an identifier must be
 * valid UTF-8: decoding replaces each invalid sequence with U+FFFD, which would merge distinct ids into
 * one. A column no field is read from (Asterisk's userfield, an unknown CSV column) is not checked: it
 * changes nothing counted, and a byte there is no reason to lose the call.
 */
function checkCharacters(raw: RawCall): void {
  for (const key of CANONICAL_COLUMNS) {
    const value = raw[key];
    if (value.includes(NOT_REPORTED) && !(key === 'attestation' && value === NOT_REPORTED))
      throw new RowError(`${raw.columns[key]} holds a NUL character`);
  }
  for (const key of IDENTIFIERS) {
    const column = raw.columns[key];
    if (raw[key].includes('\uFFFD'))
      throw new RowError(`${column} is not valid UTF-8 (kept out rather than merged with other ids)`);
    // a JSON escape of half a surrogate pair (`\ud800`) is no character: no UTF-8 can write it, and
    // every such id prints as the same replacement character
    if (!raw[key].isWellFormed())
      throw new RowError(
        `${column} is not valid UTF-8 (an unpaired surrogate; kept out rather than merged with other ids)`,
      );
  }
}

/** Times in an order no call has (beyond TIME_ORDER_SLACK_MS of rounding): the row cannot be used. */
function checkOrder(
  startMs: number,
  answerMs: number | null,
  endMs: number | null,
  columns: SourceColumns,
): void {
  const { start_time: start, answer_time: answer, end_time: end } = columns;
  const earlier = (a: string, b: string, by: number) =>
    new RowError(`${a} is ${Math.round(by / 1000)} s before ${b}`);
  if (answerMs !== null && answerMs < startMs - TIME_ORDER_SLACK_MS)
    throw earlier(answer, start, startMs - answerMs);
  if (endMs === null) return;
  if (endMs < startMs - TIME_ORDER_SLACK_MS) throw earlier(end, start, startMs - endMs);
  if (answerMs !== null && endMs < answerMs - TIME_ORDER_SLACK_MS)
    throw earlier(end, answer, answerMs - endMs);
}

/**
 * The names of the attestation levels (full, partial, gateway) and the words exporters write for a call
 * that was not signed, by their letters (any case; `N/A` and `-` too): such a call is unsigned, not bad.
 */
const ATTESTATION_WORDS = new Map<string, string>([
  ['FULL', 'A'],
  ['PARTIAL', 'B'],
  ['GATEWAY', 'C'],
  ['NONE', ''],
  ['UNSIGNED', ''],
  ['NA', ''],
  ['NULL', ''],
]);

/**
 * A number in scientific notation (phone.ts inScientificNotation) cannot be read: its digits are gone.
 * Read as written it was no number, and a called one an on-net call no rule looks at (a campaign
 * exported through a spreadsheet passed as internal traffic); read as the number it rounds to, it would
 * be a call to someone else. The row is quarantined, so the loss is counted and shown.
 */
function notScientific(column: string, value: string): void {
  if (inScientificNotation(value))
    throw new RowError(
      `${column} '${value.trim().slice(0, 30)}' is a number in scientific notation, as a spreadsheet rewrites long numbers: its digits are rounded away (and a leading + or 0 with them), so the number cannot be checked or traced (export the column as text)`,
    );
}

/** a SIP final response: its code, optionally after `SIP/2.0` and before a reason phrase */
const SIP_STATUS = /^(?:SIP\/2\.0\s+)?(\d{3})(?:\s+[A-Za-z][\x20-\x7e]*)?$/i;

/**
 * Turns a raw call into a normalized CallRecord, or throws RowError saying which field is wrong, by
 * the name of the column it was read from (raw.columns).
 * The answered rule is the contract's: sip_code 200, else disposition ANSWERED, else answer_time
 * set, else duration_s > 0.
 */
export function normalizeCall(
  raw: RawCall,
  line: number,
  zone: ZoneClock | null,
  limits: Plausibility = defaultPlausibility(),
  repeated?: RepeatedHour,
): CallRecord {
  if (repeated) repeated.guessed = false;
  checkCharacters(raw);
  const columns = raw.columns;
  const callId = raw.call_id.trim();
  if (callId === '') throw new RowError(`${columns.call_id} is empty`);
  const customerId = raw.customer_id.trim();
  if (customerId === '') throw new RowError(`${columns.customer_id} is empty`);
  let startMs = time(columns.start_time, raw.start_time, zone, true, limits) as number;
  if (zone !== null && zone.wallKind === WALL_REPEATED)
    startMs = startInRepeatedHour(startMs, zone.laterMs, raw, repeated);
  const answerMs = afterStart(time(columns.answer_time, raw.answer_time, zone, false, limits), zone, startMs);
  const endMs = afterStart(time(columns.end_time, raw.end_time, zone, false, limits), zone, startMs);
  checkOrder(startMs, answerMs, endMs, columns);

  let sipCode: number | null = null;
  const sipText = raw.sip_code.trim();
  if (sipText !== '') {
    // three decimal digits (Number() would also take 0xC8, 2e2 or 200.0), written alone or as the
    // status line's code and reason phrase, as some exporters write them: `486 Busy Here`, `SIP/2.0 200 OK`
    const status = SIP_STATUS.exec(sipText);
    sipCode = status !== null ? Number(status[1]) : Number.NaN;
    if (!(sipCode >= 100 && sipCode <= 699)) {
      throw new RowError(
        `${columns.sip_code} '${sipText.slice(0, 20)}' is not a SIP response code (100-699)`,
      );
    }
  }
  const dispositionText = raw.disposition.trim();
  const disposition =
    dispositionText === '' ? '' : DISPOSITION_BY_LETTERS.get(dispositionLetters(dispositionText));
  if (disposition === undefined) {
    throw new RowError(
      `${columns.disposition} '${raw.disposition.slice(0, 20)}' is not one of ${[...DISPOSITIONS].join(', ')}`,
    );
  }

  let durationS: number;
  const durText = raw.duration_s.trim();
  if (durText !== '') {
    durationS = Number(durText);
    if (!Number.isFinite(durationS) || durationS < 0 || !/^\d+(\.\d+)?$/.test(durText)) {
      throw new RowError(
        `${columns.duration_s} '${durText.slice(0, 20)}' is not a number of seconds >= 0 (digits, with a decimal fraction or not)`,
      );
    }
    // switches write fractions too (131.0, 10.5): the contract rounds them to the nearest second
    durationS = Math.round(durationS);
  } else if (answerMs !== null && endMs !== null) {
    // an end within the slack before the answer (checkOrder) is a call of no seconds
    durationS = Math.max(0, Math.round((endMs - answerMs) / 1000));
  } else {
    durationS = 0;
  }
  if (durationS > limits.maxDurationS) {
    throw new RowError(
      `${durText === '' ? `duration (${columns.answer_time} to ${columns.end_time})` : `${columns.duration_s} '${durText.slice(0, 20)}'`} is longer than ${limits.maxDurationS} s, the plausible maximum`,
    );
  }

  const answered =
    sipCode !== null
      ? sipCode === 200
      : disposition !== ''
        ? disposition === 'ANSWERED'
        : answerMs !== null
          ? true
          : durationS > 0;

  const attText = raw.attestation.trim().toUpperCase();
  const att =
    raw.attestation === NOT_REPORTED
      ? '?'
      : (ATTESTATION_WORDS.get(attText === '-' ? 'NA' : attText.replace(/[^A-Z]+/g, '')) ?? attText);
  if (att !== '' && att !== '?' && att !== 'A' && att !== 'B' && att !== 'C') {
    throw new RowError(
      `${columns.attestation} '${raw.attestation.slice(0, 10)}' is not A, B or C (full, partial, gateway), or empty or none for an unsigned call`,
    );
  }
  const ver = VERSTATS[verstatLetters(raw.verstat)];
  if (ver === undefined)
    throw new RowError(`${columns.verstat} '${raw.verstat.slice(0, 30)}' is not a known verstat value`);

  notScientific(columns.calling_number, raw.calling_number);
  notScientific(columns.called_number, raw.called_number);
  const calling = normalizeNumber(raw.calling_number);
  const called = normalizeCalledNumber(raw.called_number);
  if (called.cls === 'blank') throw new RowError(`${columns.called_number} is empty`);

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
