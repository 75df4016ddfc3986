import { describe, expect, it } from 'vitest';
import {
  DATA_KEY_READ,
  DATA_KEY_WRITE,
  itGrantsExactlyTheNeeds,
  type Needs,
  queuesOf,
  SEND_TO,
  withoutHash,
} from './policy-needs.ts';
import { synthTraceguard } from './synth.ts';

/**
 * The operator, onboarding reviewer and reference data policies against what each of their commands
 * calls (policy-needs.ts says how).
 */
const RECONCILE_KEYS = '[RECONCILE|RECONCILE#*]';

const PIPELINE_OPERATOR: Needs = {
  // ListObjectsV2 under quarantine/<batch>, HeadObject of the batch (404 only to who may list), the
  // quarantine objects, the batch's manifest item
  'quarantine show': [
    's3:ListBucket CdrBucket',
    's3:GetObject CdrBucket/cdr/*',
    's3:GetObject CdrBucket/quarantine/*',
    'dynamodb:GetItem ManifestTable',
    'kms:Decrypt DataKey via s3',
    ...DATA_KEY_READ,
  ],
  // list cdr/, HeadObject, batch items and the checkpoint, claims, SendMessage to the IngestQueue
  reconcile: [
    's3:ListBucket CdrBucket',
    's3:GetObject CdrBucket/cdr/*',
    'dynamodb:GetItem ManifestTable',
    `dynamodb:PutItem ManifestTable ${RECONCILE_KEYS}`,
    `dynamodb:DeleteItem ManifestTable ${RECONCILE_KEYS}`,
    'sqs:SendMessage IngestQueue',
    ...SEND_TO('sqs'),
    ...DATA_KEY_WRITE,
  ],
  // ListQueues, each queue's RedrivePolicy and tags and each DLQ's depth, a peek (receive, then
  // visible again); the audit export schedule's DLQ is under the data key
  'dlq list': [
    'sqs:ListQueues *',
    'sqs:GetQueueAttributes <each-queue>',
    'sqs:ListQueueTags <each-queue>',
    'sqs:ReceiveMessage <each-dead-letter-queue>',
    'sqs:ChangeMessageVisibility <each-dead-letter-queue>',
    'kms:Decrypt MessagingKey via sqs',
    'kms:Decrypt DataKey via sqs',
  ],
  // a schedule's dead letters: its state machine started again or its function invoked once, the
  // dead letters made visible again if that fails
  'dlq redrive': [
    'sqs:ListQueues *',
    'sqs:GetQueueAttributes <each-queue>',
    'sqs:ListQueueTags <each-queue>',
    'sqs:ReceiveMessage <each-dead-letter-queue>',
    'sqs:SendMessage <each-work-queue>',
    'sqs:DeleteMessage <each-dead-letter-queue>',
    'sqs:ChangeMessageVisibility <each-dead-letter-queue>',
    'states:StartExecution <each-scheduled-state-machine>',
    'lambda:InvokeFunction <each-scheduled-function>',
    'kms:Decrypt DataKey via sqs',
    ...SEND_TO('sqs'),
  ],
  // the review notes and hours, the day's claim, the notes it forgets; the batches not done yet;
  // scoring's reference data; the day findings on ComplianceEvents
  'day-review': [
    'dynamodb:Query AggregatesTable',
    'dynamodb:UpdateItem AggregatesTable',
    'dynamodb:DeleteItem AggregatesTable [REVIEW#*]',
    'dynamodb:Query ManifestTable',
    'dynamodb:BatchGetItem ManifestTable',
    'dynamodb:BatchGetItem CustomersTable',
    'dynamodb:Query CustomersTable',
    'dynamodb:Query TracebacksTable',
    's3:ListBucket ReferenceBucket',
    's3:GetObject ReferenceBucket/*',
    'kms:Decrypt DataKey via s3',
    'sns:Publish ComplianceEvents',
    ...SEND_TO('sns'),
    ...DATA_KEY_WRITE,
  ],
};

// the customer's stream (the reinstatement's request, approval or decline) and the track-record
// stream (its do-not-onboard entry removed)
const REINSTATEMENT_STREAMS = '[AUDIT#customer#*|AUDIT#track-record]';

const COMPLIANCE_OPERATOR: Needs = {
  // the profile, the customer's cases (byCustomer), the request waiting in the customer's stream, the
  // status set back on approval (only over the status read), the enforcement event, the audit
  // records after their streams' heads
  'customers reinstate': [
    'dynamodb:GetItem CustomersTable',
    'dynamodb:UpdateItem CustomersTable',
    'dynamodb:Query CasesTable/index/*',
    `dynamodb:Query AuditTable ${REINSTATEMENT_STREAMS}`,
    `dynamodb:PutItem AuditTable ${REINSTATEMENT_STREAMS}`,
    // the do-not-onboard entry its suspension put there
    'dynamodb:DeleteItem DossiersTable [DNO]',
    'sns:Publish ComplianceEvents',
    ...SEND_TO('sns'),
    ...DATA_KEY_WRITE,
  ],
  // the profile, the cases, a reinstatement waiting for a second person (in the customer's stream)
  'customers status': [
    'dynamodb:GetItem CustomersTable',
    'dynamodb:Query CasesTable/index/*',
    `dynamodb:Query AuditTable ${REINSTATEMENT_STREAMS}`,
    ...DATA_KEY_READ,
  ],
  'traceback submit': [
    'dynamodb:GetItem TracebacksTable',
    'sqs:SendMessage TracebackQueue',
    ...SEND_TO('sqs'),
    ...DATA_KEY_READ,
  ],
  'traceback list': ['dynamodb:Query TracebacksTable/index/*', ...DATA_KEY_READ],
  'traceback show': ['dynamodb:GetItem TracebacksTable', ...DATA_KEY_READ],
};

const ONBOARDING_STREAMS = '[AUDIT#onboarding#*|AUDIT#track-record]';
const DOSSIER_WRITES = '[APP#*|CUST#*]';

const DOSSIER_REVIEWER: Needs = {
  // the dossier and the customer's pointer at it (the stored one read when submitted before), the
  // 'submitted' record after its stream's head, the workflow started under the application id
  'customers apply': [
    `dynamodb:PutItem DossiersTable ${DOSSIER_WRITES}`,
    'dynamodb:GetItem DossiersTable',
    `dynamodb:Query AuditTable ${ONBOARDING_STREAMS}`,
    `dynamodb:PutItem AuditTable ${ONBOARDING_STREAMS}`,
    'states:StartExecution OnboardingStateMachine',
    ...DATA_KEY_WRITE,
  ],
  'customers applications': ['dynamodb:Scan DossiersTable', ...DATA_KEY_READ],
  'customers show': [
    'dynamodb:GetItem DossiersTable',
    `dynamodb:Query AuditTable ${ONBOARDING_STREAMS}`,
    ...DATA_KEY_READ,
  ],
  // one signed request to the decision function, which answers the review task itself
  'customers decide': ['lambda:InvokeFunctionUrl DecideFunction with AWS_IAM'],
  // the registry row and status, the track-record stream (open proposals); an approval writes the
  // registry row as onboarding does (profile, declarations, roster)
  'customers trusted': [
    'dynamodb:GetItem CustomersTable [CUST#*]',
    `dynamodb:Query AuditTable ${ONBOARDING_STREAMS}`,
    `dynamodb:PutItem AuditTable ${ONBOARDING_STREAMS}`,
    'dynamodb:UpdateItem CustomersTable [CUST#*|DECLARED]',
    'dynamodb:PutItem CustomersTable [DECLARED|ROSTER]',
    ...DATA_KEY_WRITE,
  ],
};

const REFERENCE_DATA: Needs = {
  // each profile updated (its status only if it has none), its declarations put or emptied
  'customers import': [
    'dynamodb:UpdateItem CustomersTable [CUST#*|DECLARED]',
    'dynamodb:PutItem CustomersTable [DECLARED]',
    ...DATA_KEY_WRITE,
  ],
  'numbers import': [
    's3:PutObject ReferenceBucket/reference/numbers.csv',
    'kms:GenerateDataKey DataKey via s3',
  ],
  'dno import': ['s3:PutObject ReferenceBucket/reference/dno.txt', 'kms:GenerateDataKey DataKey via s3'],
  'switches import': [
    's3:PutObject ReferenceBucket/reference/switches.csv',
    'kms:GenerateDataKey DataKey via s3',
  ],
  'trunks import': [
    's3:PutObject ReferenceBucket/reference/trunks.csv',
    'kms:GenerateDataKey DataKey via s3',
  ],
  // the listings under the import's id, then the item naming it current
  'rmd import': ['dynamodb:PutItem DossiersTable [RMD#*]', ...DATA_KEY_WRITE],
};

describe('operator policies', () => {
  const { template } = synthTraceguard();
  for (const [hint, needs] of [
    ['PipelineOperatorPolicy', PIPELINE_OPERATOR],
    ['ComplianceOperatorPolicy', COMPLIANCE_OPERATOR],
    ['DossierReviewPolicy', DOSSIER_REVIEWER],
    ['ReferenceDataPolicy', REFERENCE_DATA],
  ] as const)
    itGrantsExactlyTheNeeds(template, hint, needs);

  it("finds every dead-letter queue, each work queue's, SNS subscription's and schedule's, as the dlq commands will", () => {
    const deadLetterQueues = queuesOf(template)['<each-dead-letter-queue>'].map(withoutHash).sort();
    expect(deadLetterQueues).toEqual([
      'StatelessEscalationAuditExportScheduleDlq',
      'StatelessEventsAlertQueueDlq',
      'StatelessEventsAlertQueueSubscriptionDlq',
      'StatelessEventsAuditQueueDlq',
      'StatelessEventsAuditQueueSubscriptionDlq',
      'StatelessEventsEscalationQueueDlq',
      'StatelessEventsEscalationQueueSubscriptionDlq',
      'StatelessIngestDayReviewScheduleDlq',
      'StatelessIngestIngestQueueDlq',
      'StatelessReconciliationReconcileScheduleDlq',
      'StatelessTracebackDeadlineScheduleDlq',
      'StatelessTracebackTracebackQueueDlq',
      'StatelessTrackRecordTrackRecordScheduleDlq',
    ]);
    expect(queuesOf(template)['<each-scheduled-state-machine>'].map(withoutHash)).toEqual([
      'StatelessEscalationAuditExportStateMachine',
    ]);
    expect(queuesOf(template)['<each-scheduled-function>'].map(withoutHash).sort()).toEqual([
      'StatelessIngestDayReviewFunction',
      'StatelessReconciliationReconcileFunction',
      'StatelessTracebackTracebackDeadlineFunction',
      'StatelessTrackRecordTrackRecordReviewFunction',
    ]);
  });

  it('exports each policy ARN', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'PipelineOperatorPolicyArn',
        'ComplianceOperatorPolicyArn',
        'DossierReviewPolicyArn',
        'ReferenceDataPolicyArn',
      ]),
    );
  });
});
