import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { QueueWithDlq } from './queue-with-dlq.ts';

/**
 * Longest timeout a function consuming AlertQueue, EscalationQueue or AuditQueue may have: the queues'
 * visibility timeout is six times this (AWS guidance), so a slow invocation is not delivered twice.
 */
export const EVENT_CONSUMER_MAX_TIMEOUT = Duration.minutes(1);

/** docs/wiring.md: EscalationQueue gets severity high (rank 3) or worse, OR any answered traceback. */
export const ESCALATION_FILTER_POLICY = {
  $or: [{ severity_rank: [{ numeric: ['>=', 3] }] }, { type: ['traceback'] }],
};

export interface EventsProps {
  key: IKey;
  alertEmail?: string;
}

/**
 * The ComplianceEvents fan-out: one KMS-encrypted topic, three filtered queues with raw delivery (so
 * consumers read the published JSON and its message attributes, not an SNS envelope), and the
 * OnCallTopic that people subscribe to.
 */
export class Events extends Construct {
  readonly eventsTopic: Topic;
  readonly onCallTopic: Topic;
  readonly alertQueue: QueueWithDlq;
  readonly escalationQueue: QueueWithDlq;
  readonly auditQueue: QueueWithDlq;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    this.eventsTopic = new Topic(this, 'ComplianceEvents', {
      displayName: 'Traceguard compliance events (findings, tracebacks, cases, enforcement)',
      masterKey: props.key,
      enforceSSL: true,
    });
    this.onCallTopic = new Topic(this, 'OnCallTopic', {
      displayName: 'Traceguard on-call',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alertEmail) this.onCallTopic.addSubscription(new EmailSubscription(props.alertEmail));

    const visibilityTimeout = Duration.seconds(6 * EVENT_CONSUMER_MAX_TIMEOUT.toSeconds());
    this.alertQueue = new QueueWithDlq(this, 'AlertQueue', { key: props.key, visibilityTimeout });
    this.escalationQueue = new QueueWithDlq(this, 'EscalationQueue', { key: props.key, visibilityTimeout });
    this.auditQueue = new QueueWithDlq(this, 'AuditQueue', { key: props.key, visibilityTimeout });

    this.eventsTopic.addSubscription(
      new SqsSubscription(this.alertQueue.queue, {
        rawMessageDelivery: true,
        // docs/wiring.md: severity medium (rank 2) or worse
        filterPolicy: { severity_rank: SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 2 }) },
      }),
    );
    const escalation = this.eventsTopic.addSubscription(
      new SqsSubscription(this.escalationQueue.queue, { rawMessageDelivery: true }),
    );
    // The L2 filterPolicy cannot express an OR across two attributes; SNS can, with `$or`.
    (escalation.node.defaultChild as CfnSubscription).addPropertyOverride(
      'FilterPolicy',
      ESCALATION_FILTER_POLICY,
    );
    // the audit log records everything: no filter
    this.eventsTopic.addSubscription(
      new SqsSubscription(this.auditQueue.queue, { rawMessageDelivery: true }),
    );
  }
}
