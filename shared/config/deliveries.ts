/**
 * How often SQS hands a work queue's failing message out before it moves it to the queue's
 * dead-letter queue (the queues' redrive policy, infra/constructs/queue-with-dlq.ts). Kept here, not in
 * infra, because the ingest function tells an operator which delivery failed and whether it was the
 * last (delivery-failure.ts), and a function must not load the CDK.
 */
export const MAX_RECEIVE_COUNT = 5;

/**
 * Longest timeout a function consuming AlertQueue, EscalationQueue or AuditQueue may have, and those
 * queues' visibility timeout, six times it (AWS guidance: a slow invocation is not delivered twice).
 * Kept here, not in infra, because `audit verify` waits this long for a new case's first audit
 * record (cases/verify-audit.ts), which the EscalationQueue delivery that opened the case appends.
 */
export const EVENT_CONSUMER_MAX_TIMEOUT_SECONDS = 60;
export const EVENT_QUEUE_VISIBILITY_SECONDS = 6 * EVENT_CONSUMER_MAX_TIMEOUT_SECONDS;
