import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A failed message is retried this many times before it lands in the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

export interface QueueWithDlqProps {
  key: IKey;
  /** at least 6x the consumer function's timeout (AWS guidance for Lambda event sources) */
  visibilityTimeout: Duration;
}

/**
 * A KMS-encrypted, TLS-only work queue with its own dead-letter queue after 5 receives. Observability
 * finds every such pair in the stack and alarms on the dead-letter queue's depth.
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // the longest SQS allows, so an on-call engineer has two weeks to inspect and redrive
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
