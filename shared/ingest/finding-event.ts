import { type Finding, severityRank } from '../detect/finding.ts';

/** How many call ids of a window travel with a finding (evidence an analyst can look up). */
export const EXAMPLE_CALLS = 5;

/** The ComplianceEvents message body for a finding: the docs/findings.md finding plus context. */
export interface FindingEvent extends Finding {
  type: 'finding';
  /**
   * object key of the batch that raised it, and its switch; absent for a customer's day judged by the
   * day review once the day was over (review-days.ts), which no one batch raised
   */
  batch?: string;
  switch_id?: string;
  example_calls: string[];
}

/** The batch a finding came from, or null for the day review's. */
export interface FindingSource {
  batchKey: string;
  switchId: string;
}

export function findingEvent(
  finding: Finding,
  source: FindingSource | null,
  exampleCalls: string[],
): FindingEvent {
  return {
    ...finding,
    type: 'finding',
    ...(source ? { batch: source.batchKey, switch_id: source.switchId } : {}),
    example_calls: exampleCalls.slice(0, EXAMPLE_CALLS),
  };
}

/** SNS message attributes (docs/wiring.md) the subscription filter policies route on. */
export function findingAttributes(
  event: FindingEvent,
): Record<string, { type: 'String' | 'Number'; value: string }> {
  return {
    type: { type: 'String', value: 'finding' },
    severity: { type: 'String', value: event.severity },
    severity_rank: { type: 'Number', value: String(severityRank(event.severity)) },
    customer_id: { type: 'String', value: event.customer_id },
  };
}
