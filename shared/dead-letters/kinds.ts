/**
 * What fails into a dead-letter queue, as the stack declares it on the queue itself: infra's
 * DeadLetterQueue tags every one it creates, the local stack creates each queue with its template
 * tags, and `traceguard dlq` reads them. A work queue's DLQ is also named by that queue's
 * RedrivePolicy; an SNS subscription's or a schedule's is named only on the subscription or the
 * schedule, which a queue listing never shows, so without the tags those would stay unseen.
 */
export const DEAD_LETTER_KINDS = ['work-queue', 'sns-subscription', 'schedule'] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/** the queue's kind of dead letters */
export const DEAD_LETTER_KIND_TAG = 'traceguard:dead-letter-of';
/**
 * the ARN a redrive hands the dead letters to: an SNS subscription's target (its queue), a schedule's
 * target (the state machine it starts, or the function an EventBridge rule invokes). A work queue's DLQ has none: its RedrivePolicy names the queue, and a
 * tag naming the work queue would make each depend on the other.
 */
export const REDRIVE_TARGET_TAG = 'traceguard:redrive-target';

export function isDeadLetterKind(value: string | undefined): value is DeadLetterKind {
  return (DEAD_LETTER_KINDS as readonly string[]).includes(value ?? '');
}
