import { z } from 'zod';
import { HOUR_MS } from '../cdr/time.ts';

/**
 * What the EscalationQueue delivers (raw SNS delivery from ComplianceEvents): one finding of
 * docs/findings.md with the batch and example calls, or a traceback answered for a customer.
 */
export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

export const reasonSchema = z.looseObject({
  code: z.string().min(1),
  observed: z.number().optional(),
  threshold: z.number().optional(),
  detail: z.string().optional(),
});
export type Reason = z.infer<typeof reasonSchema>;

export const findingEventSchema = z.looseObject({
  type: z.literal('finding'),
  customer_id: z.string().min(1),
  window_start: z.string().min(1),
  window_end: z.string().min(1),
  severity: severitySchema,
  score: z.number(),
  reasons: z.array(reasonSchema),
  metrics: z.record(z.string(), z.unknown()).default({}),
  batch: z.string().optional(),
  // ingest sends call ids; richer producers may send call objects. Both become objects with call_id.
  example_calls: z
    .array(
      z.union([z.string().transform((callId) => ({ call_id: callId })), z.record(z.string(), z.unknown())]),
    )
    .default([]),
});
export type FindingEvent = z.infer<typeof findingEventSchema>;

export const tracebackEventSchema = z.looseObject({
  type: z.literal('traceback'),
  traceback_id: z.string().min(1),
  customer_id: z.string().min(1),
  trunk_id: z.string().optional(),
  repeat_count: z.number().int().nonnegative().default(1),
  severity: severitySchema,
  /** set when the answer corrects a `not_found` one the requester already holds */
  revised_from: z.string().optional(),
});
export type TracebackEvent = z.infer<typeof tracebackEventSchema>;

export const escalationEventSchema = z.discriminatedUnion('type', [findingEventSchema, tracebackEventSchema]);
export type EscalationEvent = z.infer<typeof escalationEventSchema>;

/**
 * A stable key for an event, so a redelivered message maps to the same case and is attached once.
 * A finding's key includes its severity: ingest publishes a window again only when its severity
 * rises, and that raised finding is new evidence that must join the case, not a redelivery. A window
 * longer than an hour (a customer's day judged as a whole) names its end too: it starts when its
 * first hour does.
 */
export function eventKey(event: EscalationEvent): string {
  if (event.type !== 'finding') return `traceback:${event.traceback_id}`;
  const span = Date.parse(event.window_end) - Date.parse(event.window_start);
  const window = span === HOUR_MS ? event.window_start : `${event.window_start}/${event.window_end}`;
  return `finding:${event.customer_id}:${window}:${event.severity}`;
}

/** Parses one queue message body; the error names the field and the message it came from. */
export function parseEscalationEvent(body: string, where: string): EscalationEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`${where}: body is not JSON`);
  }
  const parsed = escalationEventSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new Error(`${where}: not an escalation event (${issues})`);
  }
  return parsed.data;
}
