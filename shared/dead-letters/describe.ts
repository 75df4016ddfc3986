import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';

/**
 * What a dead-lettered message is about, in one line an operator can act on, without the phone
 * numbers some bodies hold (findings' example calls, traceback requests, case evidence). Only
 * identifiers are shown: the CDR object, the event type and customer, the traceback or case id.
 * SQS keeps no failure reason; the function's log has it, under the message id.
 */
export function describeDeadLetter(body: string, attributes: Record<string, string> = {}): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `not JSON (${body.length} bytes)`;
  }
  const o = (json ?? {}) as Record<string, unknown>;
  type S3Record = { eventName?: string; s3?: { bucket?: { name?: string }; object?: { key?: string } } };
  const records = Array.isArray(o.Records) ? (o.Records as S3Record[]) : undefined;
  if (records) {
    const keys = records.map(
      (r) => `s3://${r.s3?.bucket?.name}/${decodeKey(String(r.s3?.object?.key ?? ''))}`,
    );
    return `S3 ${records[0]?.eventName ?? 'event'} ${keys.join(', ')}`;
  }
  if (o.Event === 's3:TestEvent') return 'S3 test event';
  // EventBridge's dead letter of a scheduled run: the event, and why it could not be delivered
  if (o['detail-type'] === 'Scheduled Event') {
    const why = [attributes.ERROR_CODE, attributes.ERROR_MESSAGE].filter(Boolean).join(': ');
    return maskPhoneNumbers(`scheduled run of ${String(o.time)}${why ? ` (${why})` : ''}`);
  }
  const continuation = o.continuation as Record<string, unknown> | undefined;
  if (continuation)
    return `continuation of s3://${continuation.bucket}/${continuation.key} part ${continuation.part}`;
  const ids = [
    ['type', attributes.type ?? o.type],
    ['severity', attributes.severity ?? o.severity],
    ['customer', attributes.customer_id ?? o.customer_id],
    ['case', o.case_id],
    ['traceback', o.traceback_id],
    ['window', o.window_start],
  ].filter(([, value]) => typeof value === 'string' && value !== '');
  if (ids.length === 0)
    return `JSON message with fields ${Object.keys(o).slice(0, 8).join(', ') || '(none)'}`;
  return maskPhoneNumbers(ids.map(([name, value]) => `${name} ${value}`).join(', '));
}

function decodeKey(key: string): string {
  try {
    return maskPhoneNumbers(decodeURIComponent(key.replace(/\+/g, ' ')));
  } catch {
    return maskPhoneNumbers(key);
  }
}
