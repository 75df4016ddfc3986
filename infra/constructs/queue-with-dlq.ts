import { Duration, Tags, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT } from '../../shared/config/deliveries.ts';
import {
  DEAD_LETTER_KIND_TAG,
  type DeadLetterKind,
  REDRIVE_TARGET_TAG,
} from '../../shared/dead-letters/kinds.ts';

/**
 * What fails into a dead-letter queue: a work queue's messages (its RedrivePolicy names the DLQ), or
 * the deliveries of an SNS subscription or the invocations of a schedule, whose target (ARN) a
 * redrive hands them to. A schedule's target is a state machine (a redrive starts an execution) or a
 * function (a redrive invokes it), which the operator policy grants apart.
 */
export type DeadLetterOf =
  | { kind: Extract<DeadLetterKind, 'work-queue'> }
  | { kind: Extract<DeadLetterKind, 'sns-subscription'>; target: string }
  | { kind: Extract<DeadLetterKind, 'schedule'>; target: string; runs: 'state-machine' | 'function' };

/**
 * Where messages that could not be handled or delivered wait for a person: KMS-encrypted, TLS-only,
 * kept as long as SQS allows. Observability finds every one in the stack and alarms on its depth, so
 * a dead-letter queue added anywhere (a work queue's, an SNS subscription's, a schedule's) is watched;
 * its tags say what it holds and where a redrive sends it (shared/dead-letters/kinds.ts), so
 * `traceguard dlq` finds every one too, and the operator policy covers each.
 */
export class DeadLetterQueue extends Queue {
  readonly of: DeadLetterOf;

  constructor(scope: Construct, id: string, props: { key: IKey; of: DeadLetterOf }) {
    super(scope, id, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // the longest SQS allows, so an on-call engineer has two weeks to inspect and redrive
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of a work queue, an SNS subscription or a schedule target); nothing redrives it further.',
    });
    this.of = props.of;
    Tags.of(this).add(DEAD_LETTER_KIND_TAG, props.of.kind);
    if (props.of.kind !== 'work-queue') Tags.of(this).add(REDRIVE_TARGET_TAG, props.of.target);
  }
}

export interface QueueWithDlqProps {
  key: IKey;
  /** at least 6x the consumer function's timeout (AWS guidance for Lambda event sources) */
  visibilityTimeout: Duration;
}

/**
 * A KMS-encrypted, TLS-only work queue with its own dead-letter queue after 5 receives.
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', { key: props.key, of: { kind: 'work-queue' } });
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
