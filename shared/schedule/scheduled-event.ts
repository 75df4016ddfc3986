import { randomUUID } from 'node:crypto';

/** Where a scheduled event comes from: the rule's account, region and ARN. */
export interface ScheduledEventSource {
  account: string;
  region: string;
  /** the rule's ARN, as EventBridge names it; none when it is not known */
  resources: string[];
}

/**
 * The event EventBridge sends to a scheduled rule's Lambda target, for a run at `at`. The local stack
 * sends it on each tick, and `traceguard dlq redrive` for a run EventBridge could not deliver: a fresh
 * one, timed now, since a function may judge by `time` (the traceback deadline check does).
 */
export function scheduledEvent(source: ScheduledEventSource, at: Date = new Date()) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: source.account,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: source.region,
    resources: source.resources,
    detail: {},
  };
}

export type ScheduledEvent = ReturnType<typeof scheduledEvent>;
