import { z } from 'zod';
import { windowText } from '../detect/format.ts';
import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';

/**
 * Turns a ComplianceEvents message (finding, traceback, or anything else the AlertQueue lets
 * through) into the text a person on call reads: what happened, to whom, why, and what to do next.
 * Phone numbers never leave in clear: every text passes through maskPhoneNumbers.
 */
const reason = z.object({
  code: z.string(),
  detail: z.string().default(''),
  observed: z.unknown().optional(),
  threshold: z.unknown().optional(),
});

const findingEvent = z.object({
  type: z.literal('finding'),
  customer_id: z.string().min(1),
  severity: z.string(),
  score: z.number().optional(),
  window_start: z.string().optional(),
  window_end: z.string().optional(),
  reasons: z.array(reason).default([]),
  metrics: z.record(z.string(), z.unknown()).default({}),
  batch: z.string().optional(),
  switch_id: z.string().optional(),
});

const tracebackEvent = z.object({
  type: z.literal('traceback'),
  traceback_id: z.string(),
  customer_id: z.string().optional(),
  trunk_id: z.string().optional(),
  severity: z.string().optional(),
  repeat_count: z.number().optional(),
  revised_from: z.string().optional(),
});

export interface OnCallAlert {
  subject: string;
  text: string;
  customerId: string;
  severity: string;
}

/** ` <window>` after "for traffic in": nothing for an event that names no window, its start for one without an end */
function windowPart(start?: string, end?: string): string {
  if (!start) return '';
  return end ? ` ${windowText(start, end)}` : ` ${start.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The lines that name the customer's open case, or say that high findings open one. */
function caseLines(caseId: string | null): string[] {
  return caseId
    ? [
        `Case: ${caseId} is open for review; this traffic joins its evidence. \`traceguard cases show ${caseId}\``,
      ]
    : [
        'Next: `traceguard cases list` shows whether a case is open for review; high and critical findings open one automatically.',
      ];
}

/**
 * The on-call text for one event; `caseId` names the customer's open case when there is one (the
 * notifier looks it up), so the person paged goes straight to it.
 */
export function alertFor(body: string, caseId: string | null = null): OnCallAlert {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = null;
  }
  const f = findingEvent.safeParse(json);
  if (f.success) {
    const e = f.data;
    const sev = e.severity.toUpperCase();
    const lines = [
      `Customer ${e.customer_id} was flagged ${sev}${e.score === undefined ? '' : ` (score ${e.score})`} for traffic in${windowPart(e.window_start, e.window_end)}.`,
      '',
      'Why:',
      ...e.reasons.map((r) => `  - ${r.code}: ${r.detail}`),
      '',
      `Traffic: ${e.metrics.calls ?? '?'} calls, ${e.metrics.answered ?? '?'} answered; vetting ${e.metrics.vetting ?? 'unknown'}, profile ${e.metrics.traffic_profile ?? 'unknown'}.`,
      ...(e.batch ? [`Batch: ${e.batch}${e.switch_id ? ` (switch ${e.switch_id})` : ''}`] : []),
      '',
      ...caseLines(caseId),
    ];
    return {
      subject: `[${sev}] Traceguard: ${e.customer_id} flagged${caseId ? ` (case ${caseId})` : ''} (${e.reasons.map((r) => r.code).join(', ')})`,
      text: maskPhoneNumbers(lines.join('\n')),
      customerId: e.customer_id,
      severity: e.severity,
    };
  }
  const t = tracebackEvent.safeParse(json);
  if (t.success) {
    const e = t.data;
    const who = e.customer_id
      ? `customer ${e.customer_id}${e.trunk_id ? ` on trunk ${e.trunk_id}` : ''}`
      : 'no customer (not found on our network)';
    const repeat =
      e.repeat_count && e.repeat_count > 1
        ? ` This is traceback number ${e.repeat_count} for the customer in the review window.`
        : '';
    // the requester may already hold the earlier answer: someone has to send them the correction
    const revised =
      e.revised_from === 'not_found'
        ? ' It was answered not found before; a CDR batch that arrived late holds the call, so send the requester this corrected answer.'
        : '';
    return {
      subject: `[${(e.severity ?? 'medium').toUpperCase()}] Traceguard: traceback ${e.traceback_id} answered${revised ? ' (corrected)' : ''}`,
      text: maskPhoneNumbers(
        `Industry traceback ${e.traceback_id} was answered: the call came from ${who}.${revised}${repeat}\n\nNext: \`traceguard traceback show ${e.traceback_id}\`.${caseId ? `\n${caseLines(caseId).join('\n')}` : ''}`,
      ),
      customerId: e.customer_id ?? '',
      severity: e.severity ?? 'medium',
    };
  }
  // Anything else the filter let through is still worth a page: say what it is, without its raw body
  const obj = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const type = typeof obj.type === 'string' ? obj.type : 'unknown';
  const customerId = typeof obj.customer_id === 'string' ? obj.customer_id : '';
  const severity = typeof obj.severity === 'string' ? obj.severity : 'medium';
  return {
    subject: `[${severity.toUpperCase()}] Traceguard: ${type} event${customerId ? ` for ${customerId}` : ''}`,
    text: maskPhoneNumbers(
      `A ${type} event arrived on the alert queue${customerId ? ` for customer ${customerId}` : ''}. See the audit log for its full content.`,
    ),
    customerId,
    severity,
  };
}
