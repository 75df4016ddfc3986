import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { auditStreams } from '../../shared/audit/append.ts';
import { auditPk } from '../../shared/aws/audit-store.ts';
import { DO_NOT_ONBOARD_PK, RMD_PK_PREFIX } from '../../shared/aws/onboarding-store.ts';
import { CUSTOMER_PK_PREFIX, DECLARED_PK, DNO_KEY, NUMBERS_KEY } from '../../shared/aws/reference-store.ts';
import { SWITCHES_KEY, TRUNKS_KEY } from '../../shared/aws/switch-config-store.ts';
import { CDR_PREFIX, QUARANTINE_PREFIX } from '../../shared/ingest/keys.ts';
import { TRACK_RECORD_STREAM } from '../../shared/kyc/trusted-decision.ts';
import { onReviewNotes } from './ingest.ts';
import { keyThrough } from './key-through.ts';
import { nagRef } from './nag.ts';
import { DeadLetterQueue, QueueWithDlq } from './queue-with-dlq.ts';
import { reconcileLedgerWrites } from './reconciliation.ts';

export interface OperatorsProps {
  /** the stack: every work queue and dead-letter queue in it is found there, as Observability finds them */
  root: Construct;
  dataKey: IKey;
  messagingKey: IKey;
  cdrBucket: IBucket;
  referenceBucket: IBucket;
  manifestTable: ITable;
  aggregatesTable: ITable;
  customersTable: ITable;
  casesTable: ITable;
  tracebacksTable: ITable;
  auditTable: ITable;
  /** the onboarding dossiers, whose do-not-onboard partition a reinstatement takes the customer out of */
  dossiersTable: ITable;
  /** ComplianceEvents: day findings, and enforcement events (a reinstatement) for switch provisioning */
  eventsTopic: ITopic;
  tracebackQueue: IQueue;
}

/**
 * What the people who run `traceguard` against the deployed stack may do, beyond reviewing cases
 * (the reviewer policy) and onboarding (the dossier review policy): customer-managed policies the
 * operator attaches to their IAM users, roles or Identity Center permission sets. Each grants the calls
 * its commands make (cli/ and the shared/aws adapters they use), on this stack's resources only.
 *
 * - the pipeline operator (on call for the pipeline): `quarantine show`, `reconcile`, `dlq list` and
 *   `dlq redrive`, `day-review`;
 * - the compliance operator (customers and carriers' requests): `customers reinstate`,
 *   `customers status`, `traceback submit`, `traceback list`, `traceback show`;
 * - the reference data administrator (what detection and onboarding check against): `customers
 *   import`, `numbers import`, `dno import`, `switches import`, `trunks import`, `rmd import`.
 */
export class Operators extends Construct {
  readonly pipelineOperatorPolicy: ManagedPolicy;
  readonly complianceOperatorPolicy: ManagedPolicy;
  readonly referenceDataPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorsProps) {
    super(scope, id);
    this.pipelineOperatorPolicy = this.pipelineOperator(props);
    this.complianceOperatorPolicy = this.complianceOperator(props);
    this.referenceDataPolicy = this.referenceData(props);
  }

  private pipelineOperator(props: OperatorsProps): ManagedPolicy {
    const all = props.root.node.findAll();
    const pairs = all.filter((c): c is QueueWithDlq => c instanceof QueueWithDlq);
    const queues = all.filter((c): c is Queue => c instanceof Queue);
    const deadLetterQueues = all.filter((c): c is DeadLetterQueue => c instanceof DeadLetterQueue);
    // a schedule's dead letters are runs its target missed: a redrive runs that target once
    const scheduleTargets = (runs: 'state-machine' | 'function') =>
      deadLetterQueues.flatMap((q) => (q.of.kind === 'schedule' && q.of.runs === runs ? [q.of.target] : []));
    const cdrObjects = props.cdrBucket.arnForObjects(`${CDR_PREFIX}*`);
    const quarantineObjects = props.cdrBucket.arnForObjects(`${QUARANTINE_PREFIX}*`);
    const policy = new ManagedPolicy(this, 'PipelineOperatorPolicy', {
      description:
        'Traceguard: a pipeline operator shows quarantined rows, reconciles the CDR bucket, inspects and redrives dead-letter queues, runs the day review',
      statements: [
        new PolicyStatement({
          // reconcile lists cdr/, quarantine show the quarantine objects of a batch; and only who may
          // list a bucket is told that a key is not there (404) rather than refused (403): a batch no
          // longer under its key, reference data not imported (both optional, read as absent)
          sid: 'ListTheBuckets',
          actions: ['s3:ListBucket'],
          resources: [props.cdrBucket.bucketArn, props.referenceBucket.bucketArn],
        }),
        new PolicyStatement({
          // HeadObject of a batch (which version is there now) and the quarantine reports' rows
          sid: 'ReadBatchesAndQuarantineReports',
          actions: ['s3:GetObject'],
          resources: [cdrObjects, quarantineObjects],
        }),
        new PolicyStatement({
          sid: 'ReadBatchManifest',
          actions: ['dynamodb:GetItem'],
          resources: [props.manifestTable.tableArn],
        }),
        reconcileLedgerWrites(props.manifestTable),
        new PolicyStatement({
          // reconcile re-enqueues to the IngestQueue; a redrive moves messages back to their queue.
          // IAM cannot tell a redriven message from a forged one, and SQS's own redrive
          // (StartMessageMoveTask) needs this same grant on the destination: no narrower grant exists
          // (infra/README.md says who should hold this policy)
          sid: 'SendToWorkQueues',
          actions: ['sqs:SendMessage'],
          resources: pairs.map((p) => p.queue.queueArn),
        }),
        new PolicyStatement({
          // dlq finds the dead-letter queues by listing queues and reading their redrive policies, and
          // their tags (an SNS subscription's or a schedule's, which no queue's redrive policy names)
          sid: 'FindDeadLetterQueues',
          actions: ['sqs:ListQueues'],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'ReadQueueAttributes',
          actions: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
          resources: queues.map((q) => q.queueArn),
        }),
        new PolicyStatement({
          // a peek receives and makes the messages visible again; a redrive deletes what it sent back
          sid: 'PeekAndRedriveDeadLetters',
          actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
          resources: deadLetterQueues.map((q) => q.queueArn),
        }),
        new PolicyStatement({
          sid: 'RerunMissedSchedules',
          actions: ['states:StartExecution'],
          resources: scheduleTargets('state-machine'),
        }),
        new PolicyStatement({
          // the scheduled functions (day review, traceback deadlines, track record, reconcile), each
          // invoked once with a fresh scheduled event for the runs EventBridge could not deliver
          sid: 'RerunMissedScheduledFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: scheduleTargets('function'),
        }),
        new PolicyStatement({
          // the day review reads the days ingest noted and the customers' hours, claims a day's severity
          sid: 'ReviewDays',
          actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
          resources: [props.aggregatesTable.tableArn],
        }),
        onReviewNotes(props.aggregatesTable, ['dynamodb:DeleteItem']),
        new PolicyStatement({
          // the batches begun since a day started (BEGUN#<hour>) and their items: a day waits for those not done
          sid: 'ReadUnfinishedBatches',
          actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
          resources: [props.manifestTable.tableArn],
        }),
        new PolicyStatement({
          // the profiles of the day's customers and every customer's declared numbers and addresses
          sid: 'ReadCustomers',
          actions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
          resources: [props.customersTable.tableArn],
        }),
        new PolicyStatement({
          sid: 'ReadTracebackHistory',
          actions: ['dynamodb:Query'],
          resources: [props.tracebacksTable.tableArn],
        }),
        new PolicyStatement({
          // the DNO list, number inventory, switch configuration and a detection policy override
          sid: 'ReadReferenceData',
          actions: ['s3:GetObject'],
          resources: [props.referenceBucket.arnForObjects('*')],
        }),
        new PolicyStatement({
          sid: 'PublishDayFindings',
          actions: ['sns:Publish'],
          resources: [props.eventsTopic.topicArn],
        }),
        keyThrough(
          props.dataKey,
          ['dynamodb'],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          'DataKeyThroughDynamoDB',
        ),
        keyThrough(props.dataKey, ['s3'], ['kms:Decrypt'], 'DecryptObjectsThroughS3'),
        // the audit export schedule's dead-letter queue is under the data key, as the export is
        keyThrough(props.dataKey, ['sqs'], ['kms:Decrypt'], 'ReadScheduleDeadLettersThroughSqs'),
        keyThrough(
          props.messagingKey,
          ['sqs', 'sns'],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          'MessagingKeyThroughSqsAndSns',
        ),
      ],
    });
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'sqs:ListQueues accepts no resource-level scope; every other queue action names the queues.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.cdrBucket)}.Arn>/${CDR_PREFIX}*]`,
        reason:
          'Batch keys are chosen by switches; operators only read them (HeadObject to tell the version).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.cdrBucket)}.Arn>/${QUARANTINE_PREFIX}*]`,
        reason: 'Quarantine reports are named after their batch; operators only read them.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.referenceBucket)}.Arn>/*]`,
        reason:
          'The day review reads the reference data ingest reads, wherever the policy key puts the override.',
      },
    );
    return policy;
  }

  private complianceOperator(props: OperatorsProps): ManagedPolicy {
    const policy = new ManagedPolicy(this, 'ComplianceOperatorPolicy', {
      description:
        "Traceguard: a compliance operator reinstates customers, shows a customer's status and cases, submits and follows traceback requests",
      statements: [
        new PolicyStatement({
          // status shows the profile; an approved reinstatement sets the status back to active (a
          // conditional update: only over the status read)
          sid: 'ReadAndReinstateCustomers',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [props.customersTable.tableArn],
        }),
        new PolicyStatement({
          // a customer's cases, newest first, through the byCustomer index (no case is changed)
          sid: 'ReadCasesOfACustomer',
          actions: ['dynamodb:Query'],
          resources: [`${props.casesTable.tableArn}/index/*`],
        }),
        new PolicyStatement({
          // a reinstatement's request, approval or decline is appended to the customer's audit
          // stream (after its head), where status reads the request waiting for a second person, and
          // its do-not-onboard entry's removal to the track-record stream (once: its chain is read
          // first); no other stream (a case's, an application's) is read or written
          sid: 'AppendToCustomerAndTrackRecordStreams',
          actions: ['dynamodb:Query', 'dynamodb:PutItem'],
          resources: [props.auditTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [auditPk(auditStreams.forCustomer('*')), auditPk(TRACK_RECORD_STREAM)],
            },
          },
        }),
        new PolicyStatement({
          // a reinstated customer leaves the do-not-onboard list its suspension put it on: a delete in
          // that partition only, no read of any dossier
          sid: 'TakeReinstatedOffTheDoNotOnboardList',
          actions: ['dynamodb:DeleteItem'],
          resources: [props.dossiersTable.tableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DO_NOT_ONBOARD_PK] } },
        }),
        new PolicyStatement({
          // switch provisioning learns of a reinstatement from ComplianceEvents, as of a suspension
          sid: 'PublishEnforcement',
          actions: ['sns:Publish'],
          resources: [props.eventsTopic.topicArn],
        }),
        new PolicyStatement({
          // show reads one request; submit refuses another call under an id already on record
          sid: 'ReadTracebacks',
          actions: ['dynamodb:GetItem'],
          resources: [props.tracebacksTable.tableArn],
        }),
        new PolicyStatement({
          // list reads the open and the answered ones through the status index
          sid: 'ListTracebacksByStatus',
          actions: ['dynamodb:Query'],
          resources: [`${props.tracebacksTable.tableArn}/index/*`],
        }),
        new PolicyStatement({
          sid: 'SubmitTracebackRequests',
          actions: ['sqs:SendMessage'],
          resources: [props.tracebackQueue.queueArn],
        }),
        keyThrough(
          props.dataKey,
          ['dynamodb'],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          'DataKeyThroughDynamoDB',
        ),
        keyThrough(
          props.messagingKey,
          ['sqs', 'sns'],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          'MessagingKeyThroughSqsAndSns',
        ),
      ],
    });
    Validations.of(policy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.casesTable)}.Arn>/index/*]`,
        reason: "A customer's cases are found through the cases table's own secondary index.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.tracebacksTable)}.Arn>/index/*]`,
        reason: "Open and answered requests are found through the tracebacks table's own status index.",
      },
    );
    return policy;
  }

  private referenceData(props: OperatorsProps): ManagedPolicy {
    return new ManagedPolicy(this, 'ReferenceDataPolicy', {
      description:
        'Traceguard: a reference data administrator imports the customer registry, number inventory, DNO list, switch configuration, trunk map and RMD export',
      statements: [
        new PolicyStatement({
          // customers import updates each profile (never its enforcement status) and, for a customer
          // whose declarations were withdrawn, empties its declarations item
          sid: 'ImportCustomerProfiles',
          actions: ['dynamodb:UpdateItem'],
          resources: [props.customersTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CUSTOMER_PK_PREFIX}*`, DECLARED_PK] },
          },
        }),
        new PolicyStatement({
          sid: 'ImportCustomerDeclarations',
          actions: ['dynamodb:PutItem'],
          resources: [props.customersTable.tableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DECLARED_PK] } },
        }),
        new PolicyStatement({
          // each file replaces its object as a whole; nothing else in the bucket (a policy override) is
          // written, and nothing read
          sid: 'ImportReferenceObjects',
          actions: ['s3:PutObject'],
          resources: [NUMBERS_KEY, DNO_KEY, SWITCHES_KEY, TRUNKS_KEY].map((key) =>
            props.referenceBucket.arnForObjects(key),
          ),
        }),
        new PolicyStatement({
          // rmd import writes its listings, then names its import current; never a dossier
          sid: 'ImportRmdListings',
          actions: ['dynamodb:PutItem'],
          resources: [props.dossiersTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RMD_PK_PREFIX}*`] } },
        }),
        keyThrough(
          props.dataKey,
          ['dynamodb'],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          'DataKeyThroughDynamoDB',
        ),
        keyThrough(props.dataKey, ['s3'], ['kms:GenerateDataKey'], 'EncryptObjectsThroughS3'),
      ],
    });
  }
}
