import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Traceguard's two customer-managed KMS keys, rotated yearly and never deleted with the stack (data
 * under a deleted key is gone for good).
 *
 * - `dataKey`: data at rest that must last: CDR and reference buckets, tables, Lambda environments,
 *   log groups.
 * - `messagingKey`: messages in flight: queues and topics.
 *
 * Why two: S3 may only send CDR-bucket events to the encrypted IngestQueue if the queue's key policy
 * names the bucket (aws:SourceArn). With one key, the key policy would reference the bucket while the
 * bucket references the key: a CloudFormation dependency cycle.
 */
export class EncryptionKeys extends Construct {
  readonly dataKey: Key;
  readonly messagingKey: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    this.dataKey = new Key(this, 'DataKey', {
      description: 'Traceguard data at rest: CDRs, reference data, tables, function environments, logs',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.messagingKey = new Key(this, 'MessagingKey', {
      description: 'Traceguard messages in flight: SQS queues and SNS topics',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudWatch Logs encrypts each function's log group; scoped to this account's log groups.
    this.dataKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:*` },
        },
      }),
    );

    // CloudWatch alarms publish to the encrypted OnCallTopic; without this they fail silently.
    this.messagingKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );

    // EventBridge puts a scheduled run it could not deliver in the schedule's encrypted dead-letter
    // queue as itself (a rule target has no role for that); without this the run would be dropped.
    // Scoped to this account as the alarms' statement is: naming the rules would make the key
    // depend on them, and each rule on a function whose role uses the key (a cycle).
    this.messagingKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEventBridgeRulesToDeadLetterRuns',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
}
