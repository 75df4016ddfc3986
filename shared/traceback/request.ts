import { z } from 'zod';
import { callerIdKey, normalizeNumber } from '../cdr/phone.ts';
import type { NumberClass } from '../cdr/record.ts';
import { isoUtc, parseTimestamp } from '../cdr/time.ts';
import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';

/**
 * A traceback request (docs/traceback.md). Numbers arrive in whatever shape the requester uses
 * and are normalized exactly as CDR numbers are, so `(202) 555-0143` in a request finds
 * `sip:+12025550143@host` in a batch. `switch_id` is optional: when present it narrows the search.
 */
/**
 * A string field. zod's own words for a missing or mistyped one ("Invalid input: expected string,
 * received undefined") say nothing a requester can act on.
 */
const text = (field: string, expected = 'a JSON string') =>
  z.string({
    error: (issue) => (issue.input === undefined ? `${field} is missing` : `${field} must be ${expected}`),
  });

/**
 * A time: an ISO 8601 string, or epoch seconds/ms as a string or as a JSON number (what a
 * requester's tool writes for an epoch), read as its decimal text is.
 */
const timestamp = (field: string) =>
  z.preprocess(
    (value) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value),
    text(field, 'a JSON string or number').refine((s) => !Number.isNaN(parseTimestamp(s, null)), {
      message: `${field} must be an ISO 8601 time with an offset (e.g. 2026-11-27T16:31:07Z) or epoch seconds/ms`,
    }),
  );

const present = (field: string) => text(field).trim().min(1, `${field} must not be empty`);

/** The victim's number: a real one, or the request cannot pin the call. */
const calledNumber = (field: string) =>
  present(field).refine(
    (s) => normalizeNumber(s).cls !== 'invalid_digits' && normalizeNumber(s).value !== '',
    {
      message: `${field} is not a phone number we can normalize to E.164`,
    },
  );

export const tracebackRequestSchema = z.looseObject({
  traceback_id: text('traceback_id')
    .trim()
    .min(1, 'traceback_id must not be empty')
    .max(200, 'traceback_id is longer than 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'traceback_id must be printable ASCII without spaces'),
  received_at: timestamp('received_at'),
  call_time: timestamp('call_time'),
  // any caller ID a CDR may hold: the calls tracebacks ask about often carry a spoofed, invalid or
  // withheld one (`5565541`, `anonymous`), matched as the CDR holds it (callerIdKey)
  calling_number: present('calling_number'),
  called_number: calledNumber('called_number'),
  requester: text('requester').optional(),
  campaign: text('campaign').optional(),
  switch_id: text('switch_id').min(1, 'switch_id must not be empty').optional(),
});

export type TracebackRequestDocument = z.infer<typeof tracebackRequestSchema>;

/** The request as the lookup uses it: times in epoch ms, numbers in E.164. */
export interface TracebackRequest {
  tracebackId: string;
  receivedMs: number;
  callMs: number;
  /** the caller ID as compared with a CDR row's (callerIdKey): E.164 when it normalizes */
  calling: string;
  /** `invalid_digits` or `blank` for a caller ID that is no number (spoofed, withheld) */
  callingClass: NumberClass;
  called: string;
  requester: string;
  campaign: string;
  switchId: string | null;
  /** the document as received (kept on the record) */
  document: TracebackRequestDocument;
}

/** A request that fails validation; `field` names the first bad field (or `body`). */
export class TracebackRequestError extends Error {
  override name = 'TracebackRequestError';
  readonly field: string;
  readonly issues: string[];

  constructor(where: string, field: string, issues: string[]) {
    super(`${where}: invalid traceback request: ${issues.join('; ')}`);
    this.field = field;
    this.issues = issues;
  }
}

/**
 * Validates a request document. With `nowMs` (a request arriving now, not one read back from the
 * record) its times must also be ones a real request has (implausibleTimes).
 */
export function validateTracebackRequest(json: unknown, where: string, nowMs?: number): TracebackRequest {
  const parsed = tracebackRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    const field = parsed.error.issues[0]?.path.join('.') || 'body';
    throw new TracebackRequestError(where, field, issues);
  }
  const doc = parsed.data;
  const request: TracebackRequest = {
    tracebackId: doc.traceback_id,
    receivedMs: parseTimestamp(doc.received_at, null),
    callMs: parseTimestamp(doc.call_time, null),
    calling: callerIdKey(doc.calling_number),
    callingClass: normalizeNumber(doc.calling_number).cls,
    called: normalizeNumber(doc.called_number).value,
    requester: doc.requester ?? '',
    campaign: doc.campaign ?? '',
    switchId: doc.switch_id ?? null,
    document: doc,
  };
  if (nowMs !== undefined) {
    const issues = implausibleTimes(request, nowMs);
    if (issues.length > 0)
      throw new TracebackRequestError(
        where,
        issues[0].field,
        issues.map((i) => `${i.field}: ${i.message}`),
      );
  }
  return request;
}

/** How far the requester's clock may be off ours before a time counts as one no request can have. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Times no real request has: a call still to come, a request received in the future (it would push the
 * deadline out), or a request received before the call it asks about (swapped fields, a wrong offset or
 * year). Searching for such a call would answer `not_found` about a call that was never described right.
 */
export function implausibleTimes(
  request: TracebackRequest,
  nowMs: number,
): Array<{ field: 'call_time' | 'received_at'; message: string }> {
  const issues: Array<{ field: 'call_time' | 'received_at'; message: string }> = [];
  const now = `now ${isoUtc(nowMs)}, ${CLOCK_SKEW_MS / 60_000} minutes of clock skew allowed`;
  if (request.callMs > nowMs + CLOCK_SKEW_MS)
    issues.push({
      field: 'call_time',
      message: `${isoUtc(request.callMs)} is in the future (${now}): it must be when the call was made`,
    });
  if (request.receivedMs > nowMs + CLOCK_SKEW_MS)
    issues.push({
      field: 'received_at',
      message: `${isoUtc(request.receivedMs)} is in the future (${now}): it must be when the request reached us`,
    });
  if (request.callMs > request.receivedMs + CLOCK_SKEW_MS)
    issues.push({
      field: 'call_time',
      message: `${isoUtc(request.callMs)} is after received_at ${isoUtc(request.receivedMs)}: a request cannot reach us before the call it asks about (are the two swapped, or is an offset or the year wrong?)`,
    });
  return issues;
}

/** A request is a few hundred bytes; anything past this is not one (and is not parsed). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Parses the text of a request (file or queue message body); errors say where and which field. With
 * `nowMs`, times no real request has are refused too (implausibleTimes).
 */
export function parseTracebackRequest(text: string, where: string, nowMs?: number): TracebackRequest {
  if (text.length > MAX_REQUEST_BYTES || Buffer.byteLength(text) > MAX_REQUEST_BYTES)
    throw new TracebackRequestError(where, 'body', [`body: longer than ${MAX_REQUEST_BYTES} bytes`]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // the parser quotes part of the body, which may hold numbers: masked like any log line
    throw new TracebackRequestError(where, 'body', [
      `body: not JSON (${maskPhoneNumbers((e as Error).message)})`,
    ]);
  }
  return validateTracebackRequest(json, where, nowMs);
}

/**
 * The fields on which two requests under one traceback id name different calls: the call's time, its
 * numbers (compared as normalized) and the switch. Receipt time, requester and campaign may differ
 * between deliveries of one request (a resubmission, a forward) and are not compared.
 */
export function differentCall(a: TracebackRequest, b: TracebackRequest): string[] {
  const fields: string[] = [];
  if (a.callMs !== b.callMs) fields.push('call_time');
  if (a.calling !== b.calling) fields.push('calling_number');
  if (a.called !== b.called) fields.push('called_number');
  if (a.switchId !== b.switchId) fields.push('switch_id');
  return fields;
}

/**
 * A request whose id was received before for another call. A traceback id names one call: answering
 * the new details with the old answer would tell the requester the wrong thing, and answering them
 * under the old id would change an answer on the record. Refused; the message names the fields, never
 * their values (they hold phone numbers).
 */
export class TracebackConflictError extends Error {
  override name = 'TracebackConflictError';
  readonly fields: string[];

  constructor(tracebackId: string, receivedAt: string, fields: string[]) {
    super(
      `traceback ${tracebackId} was received at ${receivedAt} for another call (${fields.join(', ')} ${fields.length === 1 ? 'differs' : 'differ'}): ` +
        'a traceback id names one call, so these details are not answered under it; send them under a new id',
    );
    this.fields = fields;
  }
}
