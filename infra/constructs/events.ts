import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import {
  EmailSubscription,
  SqsSubscription,
  type SqsSubscriptionProps,
} from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  EVENT_CONSUMER_MAX_TIMEOUT_SECONDS,
  EVENT_QUEUE_VISIBILITY_SECONDS,
} from '../../shared/config/deliveries.ts';
import { DeadLetterQueue, QueueWithDlq } from './queue-with-dlq.ts';

/** Longest timeout a function consuming AlertQueue, EscalationQueue or AuditQueue may have. */
export const EVENT_CONSUMER_MAX_TIMEOUT = Duration.seconds(EVENT_CONSUMER_MAX_TIMEOUT_SECONDS);

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
    this.allowAlarmsToPublish(this.onCallTopic);
    if (props.alertEmail) this.onCallTopic.addSubscription(new EmailSubscription(props.alertEmail));

    const visibilityTimeout = Duration.seconds(EVENT_QUEUE_VISIBILITY_SECONDS);
    this.alertQueue = new QueueWithDlq(this, 'AlertQueue', { key: props.key, visibilityTimeout });
    this.escalationQueue = new QueueWithDlq(this, 'EscalationQueue', { key: props.key, visibilityTimeout });
    this.auditQueue = new QueueWithDlq(this, 'AuditQueue', { key: props.key, visibilityTimeout });

    // Each subscription has its own dead-letter queue: a message SNS cannot deliver to the queue (a key
    // policy change, a disabled key, a deleted queue) is kept there and alarmed on, never dropped.
    const subscribe = (name: string, queue: IQueue, options: SqsSubscriptionProps = {}) =>
      this.eventsTopic.addSubscription(
        new SqsSubscription(queue, {
          rawMessageDelivery: true,
          deadLetterQueue: new DeadLetterQueue(this, `${name}SubscriptionDlq`, {
            key: props.key,
            // a redrive hands SNS's undelivered messages to the queue they were for
            of: { kind: 'sns-subscription', target: queue.queueArn },
          }),
          ...options,
        }),
      );
    subscribe('AlertQueue', this.alertQueue.queue, {
      // docs/wiring.md: severity medium (rank 2) or worse
      filterPolicy: { severity_rank: SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 2 }) },
    });
    const escalation = subscribe('EscalationQueue', this.escalationQueue.queue);
    // The L2 filterPolicy cannot express an OR across two attributes; SNS can, with `$or`.
    (escalation.node.defaultChild as CfnSubscription).addPropertyOverride(
      'FilterPolicy',
      ESCALATION_FILTER_POLICY,
    );
    // the audit log records everything: no filter
    subscribe('AuditQueue', this.auditQueue.queue);
  }

  /**
   * `enforceSSL` makes CDK write a topic policy, and a topic policy replaces SNS's default one: without
   * this statement CloudWatch is refused ("not authorized") on every alarm action. Only alarms of this
   * account may publish (confused deputy).
   */
  private allowAlarmsToPublish(topic: Topic): void {
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
