/**
 * How often SQS hands a work queue's failing message out before it moves it to the queue's
 * dead-letter queue (the queues' redrive policy, infra/constructs/queue-with-dlq.ts). Kept here, not in
 * infra, because the ingest function tells an operator which delivery failed and whether it was the
 * last (delivery-failure.ts), and a function must not load the CDK.
 */
export const MAX_RECEIVE_COUNT = 5;
