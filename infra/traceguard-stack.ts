import { Aspects, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { TraceguardConfig } from './config.ts';
import { Alerting } from './constructs/alerting.ts';
import { Decisions } from './constructs/decisions.ts';
import { EncryptionKeys } from './constructs/encryption-keys.ts';
import { Escalation } from './constructs/escalation.ts';
import { Events } from './constructs/events.ts';
import { Ingest } from './constructs/ingest.ts';
import { Observability } from './constructs/observability.ts';
import { Onboarding } from './constructs/onboarding.ts';
import { Operators } from './constructs/operators.ts';
import { OutsideParties } from './constructs/outside-parties.ts';
import { Reconciliation } from './constructs/reconciliation.ts';
import { ServicePrincipalConditions } from './constructs/service-principal-conditions.ts';
import { Storage } from './constructs/storage.ts';
import { Traceback } from './constructs/traceback.ts';
import { TrackRecord } from './constructs/track-record.ts';

export interface TraceguardStackProps extends StackProps {
  config: TraceguardConfig;
}

/**
 * All of Traceguard in ONE stack with two clearly separated halves, `Stateful` (keys, buckets, tables)
 * and `Stateless` (queues, topics, functions, state machine, alarms). Why not two stacks: the stateless
 * side changes the stateful side's policies (S3 notification config on the CDR bucket, KMS key policy
 * statements for SNS->SQS and S3->SQS delivery), so a split stack has circular references or needs
 * hand-maintained imports; and `local/` builds the emulated stack from one template with plain
 * Ref/GetAtt instead of resolving cross-stack exports. What a split would buy, a code change never
 * replacing a table, is kept by: RETAIN + deletion protection on every stateful resource and a test
 * that pins their logical ids (test/infra/stateful-ids.test.ts).
 */
export class TraceguardStack extends Stack {
  constructor(scope: Construct, id: string, props: TraceguardStackProps) {
    super(scope, id, props);
    // S3 server access logs delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (ACLs
    // stay disabled on every bucket). A feature flag, set here so it holds whatever cdk.json says.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config } = props;

    const stateful = new Construct(this, 'Stateful');
    const { dataKey, messagingKey } = new EncryptionKeys(stateful, 'Encryption');
    const storage = new Storage(stateful, 'Storage', {
      key: dataKey,
      archiveTransitionDays: config.archiveTransitionDays,
      auditRetentionYears: config.auditRetentionYears,
    });

    const stateless = new Construct(this, 'Stateless');
    const events = new Events(stateless, 'Events', { key: messagingKey, alertEmail: config.alertEmail });
    const ingest = new Ingest(stateless, 'Ingest', {
      dataKey,
      messagingKey,
      cdrBucket: storage.cdrBucket,
      referenceBucket: storage.referenceBucket,
      aggregatesTable: storage.aggregatesTable,
      manifestTable: storage.manifestTable,
      customersTable: storage.customersTable,
      tracebacksTable: storage.tracebacksTable,
      eventsTopic: events.eventsTopic,
      policyKey: config.policyKey,
    });
    new Alerting(stateless, 'Alerting', {
      key: dataKey,
      alertQueue: events.alertQueue.queue,
      auditQueue: events.auditQueue.queue,
      onCallTopic: events.onCallTopic,
      auditTable: storage.auditTable,
      casesTable: storage.casesTable,
      idempotencyTable: storage.idempotencyTable,
      alertQuietHours: config.alertQuietHours,
    });
    const traceback = new Traceback(stateless, 'Traceback', {
      dataKey,
      messagingKey,
      cdrBucket: storage.cdrBucket,
      referenceBucket: storage.referenceBucket,
      manifestTable: storage.manifestTable,
      tracebacksTable: storage.tracebacksTable,
      eventsTopic: events.eventsTopic,
      onCallTopic: events.onCallTopic,
    });
    const escalation = new Escalation(stateless, 'Escalation', {
      key: dataKey,
      eventsTopic: events.eventsTopic,
      onCallTopic: events.onCallTopic,
      escalationQueue: events.escalationQueue.queue,
      casesTable: storage.casesTable,
      reviewTokensTable: storage.reviewTokensTable,
      customersTable: storage.customersTable,
      auditTable: storage.auditTable,
      tracebacksTable: storage.tracebacksTable,
      aggregatesTable: storage.aggregatesTable,
      manifestTable: storage.manifestTable,
      cdrBucket: storage.cdrBucket,
      accessLogBucket: storage.accessLogBucket,
      auditRetentionYears: config.auditRetentionYears,
      auditLock: { mode: config.auditLockMode, days: config.auditLockDays },
    });
    const outsideParties = new OutsideParties(stateless, 'OutsideParties', {
      dataKey,
      cdrBucket: storage.cdrBucket,
      referenceBucket: storage.referenceBucket,
      casesTable: storage.casesTable,
      auditTable: storage.auditTable,
      auditExportBucket: escalation.auditExportBucket,
    });

    const onboarding = new Onboarding(stateless, 'Onboarding', {
      key: dataKey,
      onCallTopic: events.onCallTopic,
      customersTable: storage.customersTable,
      auditTable: storage.auditTable,
      reviewTokensTable: storage.reviewTokensTable,
      referenceBucket: storage.referenceBucket,
    });
    // every reviewer's decision goes through the decision function, which alone answers review tasks
    const decisions = new Decisions(stateless, 'Decisions', {
      key: dataKey,
      casesTable: storage.casesTable,
      dossiersTable: onboarding.dossiersTable,
      auditTable: storage.auditTable,
      reviewTokensTable: storage.reviewTokensTable,
    });
    decisions.allowDeciding(outsideParties.reviewerPolicy);
    decisions.allowDeciding(onboarding.reviewerPolicy);
    decisions.attach(outsideParties.reviewerPolicy, onboarding.reviewerPolicy);
    // a customer terminated or suspended by a case cannot come back under another name: the case
    // steps and a critical event's suspension at once keep its do-not-onboard entry
    onboarding.grantEnforcementHook(escalation.caseStep);
    onboarding.grantEnforcementHook(escalation.startCase);
    new TrackRecord(stateless, 'TrackRecord', {
      key: dataKey,
      messagingKey,
      onCallTopic: events.onCallTopic,
      customersTable: storage.customersTable,
      aggregatesTable: storage.aggregatesTable,
      tracebacksTable: storage.tracebacksTable,
      auditTable: storage.auditTable,
      dossiersTable: onboarding.dossiersTable,
      onboardingStateMachine: onboarding.stateMachine,
    });

    new Reconciliation(stateless, 'Reconciliation', {
      dataKey,
      messagingKey,
      cdrBucket: storage.cdrBucket,
      manifestTable: storage.manifestTable,
      ingestQueue: ingest.ingestQueue.queue,
      onCallTopic: events.onCallTopic,
    });

    // after every queue, so the dead-letter commands reach each one
    const operators = new Operators(stateless, 'Operators', {
      root: this,
      dataKey,
      messagingKey,
      cdrBucket: storage.cdrBucket,
      referenceBucket: storage.referenceBucket,
      manifestTable: storage.manifestTable,
      aggregatesTable: storage.aggregatesTable,
      customersTable: storage.customersTable,
      casesTable: storage.casesTable,
      tracebacksTable: storage.tracebacksTable,
      auditTable: storage.auditTable,
      dossiersTable: onboarding.dossiersTable,
      eventsTopic: events.eventsTopic,
      tracebackQueue: traceback.tracebackQueue.queue,
    });

    // last, so it finds every function and queue above, the escalation construct's included
    new Observability(stateless, 'Observability', {
      root: this,
      onCallTopic: events.onCallTopic,
      deliveryTopics: [events.eventsTopic],
      dashboardName: `Traceguard-${config.stage}`,
      latencyQueues: [
        // a batch normally waits seconds; half an hour means ingest is failing or throttled
        { name: 'IngestQueue', pair: ingest.ingestQueue, maxAge: Duration.minutes(30) },
        // the answer is due in 24 h; an hour of waiting eats into it and deserves a human look
        { name: 'TracebackQueue', pair: traceback.tracebackQueue, maxAge: Duration.hours(1) },
        // a finding that waits 15 min to reach on-call is a page arriving late
        { name: 'AlertQueue', pair: events.alertQueue, maxAge: Duration.minutes(15) },
        // cases open within minutes; an hour means start-case is failing or throttled
        { name: 'EscalationQueue', pair: events.escalationQueue, maxAge: Duration.hours(1) },
        // the audit log must keep up; an hour behind means write-audit is stuck
        { name: 'AuditQueue', pair: events.auditQueue, maxAge: Duration.hours(1) },
      ],
    });

    this.acknowledgeCdkInternals();
    Aspects.of(this).add(new ServicePrincipalConditions());

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      'CdrBucketName',
      storage.cdrBucket.bucketName,
      'Switches upload CDR batches under cdr/<switch_id>/',
    );
    output('ReferenceBucketName', storage.referenceBucket.bucketName, 'DNO list, number inventory, policy');
    output('IngestQueueUrl', ingest.ingestQueue.queue.queueUrl, 'S3 events for new CDR batches');
    output(
      'TracebackQueueUrl',
      traceback.tracebackQueue.queue.queueUrl,
      'Send traceback requests (JSON) here',
    );
    output('AlertQueueUrl', events.alertQueue.queue.queueUrl, 'ComplianceEvents with severity >= medium');
    output('EscalationQueueUrl', events.escalationQueue.queue.queueUrl, 'ComplianceEvents that open cases');
    output('AuditQueueUrl', events.auditQueue.queue.queueUrl, 'Every ComplianceEvents message');
    output('EventsTopicArn', events.eventsTopic.topicArn, 'ComplianceEvents topic');
    output('OnCallTopicArn', events.onCallTopic.topicArn, 'Subscribe people and chat tools here');
    output('AggregatesTableName', storage.aggregatesTable.tableName, 'Per customer-hour aggregates');
    output('ManifestTableName', storage.manifestTable.tableName, 'Batch manifest');
    output('CustomersTableName', storage.customersTable.tableName, 'Customer registry and status');
    output('CasesTableName', storage.casesTable.tableName, 'Compliance cases');
    output('TracebacksTableName', storage.tracebacksTable.tableName, 'Traceback requests and answers');
    output('AuditTableName', storage.auditTable.tableName, 'Hash-chained audit log');
    output('StateMachineArn', escalation.stateMachine.stateMachineArn, 'Escalation state machine');
    output('OnboardingStateMachineArn', onboarding.stateMachine.stateMachineArn, 'Onboarding state machine');
    output(
      'DossiersTableName',
      onboarding.dossiersTable.tableName,
      'Onboarding dossiers, do-not-onboard list',
    );
    output('IdempotencyTableName', storage.idempotencyTable.tableName, 'Idempotency records of alerting');
    output(
      'ReviewTokensTableName',
      storage.reviewTokensTable.tableName,
      'Task tokens of waiting reviews (the workflows and the decision function only)',
    );
    output(
      'SwitchUploadPolicyArn',
      outsideParties.switchUploadPolicy.managedPolicyArn,
      'Attach to the IAM user or role of a switch: upload CDR batches under cdr/',
    );
    output(
      'ReviewerPolicyArn',
      outsideParties.reviewerPolicy.managedPolicyArn,
      'Attach to reviewers: read cases and the audit log, decide cases (through DecisionsUrl)',
    );
    output(
      'PipelineOperatorPolicyArn',
      operators.pipelineOperatorPolicy.managedPolicyArn,
      'Attach to pipeline operators: quarantine show, reconcile, dlq list/redrive, day-review',
    );
    output(
      'ComplianceOperatorPolicyArn',
      operators.complianceOperatorPolicy.managedPolicyArn,
      'Attach to compliance operators: customers reinstate/status, traceback submit/list/show',
    );
    output(
      'ReferenceDataPolicyArn',
      operators.referenceDataPolicy.managedPolicyArn,
      'Attach to reference data administrators: customers, numbers, dno, switches, trunks and rmd import',
    );
    output(
      'DossierReviewPolicyArn',
      onboarding.reviewerPolicy.managedPolicyArn,
      'Attach to onboarding reviewers: customers apply/applications/show/decide/trusted',
    );
    output(
      'DecisionsUrl',
      decisions.url.url,
      'Where cases decide and customers decide send decisions (IAM-signed): DECISIONS_URL',
    );
    output(
      'ReviewerRoleArn',
      decisions.reviewerRole.roleArn,
      'Analysts assume this role (session name = their IAM user name) to review',
    );
    output(
      'ExecutiveReviewerRoleArn',
      decisions.executiveRole.roleArn,
      'Executives assume this role (session name = their IAM user name) to approve terminations and risky applications',
    );
  }

  /**
   * CDK's own singleton that writes the CDR bucket's notification configuration (a custom resource
   * Lambda with CDK-managed role and runtime): not our code, acknowledged with the reason.
   */
  private acknowledgeCdkInternals(): void {
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK-provided custom resource that sets S3 bucket notifications; its role is CDK-managed.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 's3:PutBucketNotification is granted by CDK on * for its notifications custom resource.',
        },
      );
    }
  }
}
