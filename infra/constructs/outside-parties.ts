import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { auditStreams } from '../../shared/audit/append.ts';
import { auditPk } from '../../shared/aws/audit-store.ts';
import { CASE_PK_PREFIX, CASES_KEY_ATTRIBUTES, REFUSALS, UPDATED_AT } from '../../shared/aws/cases-store.ts';
import { SWITCHES_KEY, TRUNKS_KEY } from '../../shared/aws/switch-config-store.ts';
import { AUDIT_EXPORT_PREFIX } from './audit-export.ts';
import { CDR_PREFIX } from './ingest.ts';
import { keyThrough } from './key-through.ts';
import { nagRef } from './nag.ts';

export interface OutsidePartiesProps {
  dataKey: IKey;
  cdrBucket: IBucket;
  /** where upload's check reads the switch configuration and trunk map, as ingest does */
  referenceBucket: IBucket;
  casesTable: ITable;
  auditTable: ITable;
  auditExportBucket: IBucket;
}

/**
 * What the two kinds of people and systems outside the pipeline may do, as customer-managed policies
 * the operator attaches to their IAM users, roles or Identity Center permission sets (the stack does
 * not create identities: who the switches and reviewers are is the operator's business).
 *
 * - switches upload CDR batches under `cdr/`, encrypted with the bucket's key, after reading the
 *   switch configuration and trunk map to check them (`traceguard upload`), and nothing else;
 * - reviewers read cases and the audit log and answer the escalation's review tasks
 *   (`traceguard cases decide`); a decision refused before it reaches the workflow is recorded on the
 *   case and in its audit stream, and they change nothing else.
 */
export class OutsideParties extends Construct {
  readonly switchUploadPolicy: ManagedPolicy;
  readonly reviewerPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OutsidePartiesProps) {
    super(scope, id);
    this.switchUploadPolicy = new ManagedPolicy(this, 'SwitchUploadPolicy', {
      description:
        'Traceguard: a switch uploads CDR batches under cdr/ of the CDR bucket (single or multipart), checked first against its switch configuration',
      statements: [
        new PolicyStatement({
          sid: 'UploadCdrBatches',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.cdrBucket.arnForObjects(`${CDR_PREFIX}*`)],
        }),
        new PolicyStatement({
          // upload reads the file first as ingest will: with the switch configuration and trunk map
          sid: 'ReadSwitchConfiguration',
          actions: ['s3:GetObject'],
          resources: [SWITCHES_KEY, TRUNKS_KEY].map((key) => props.referenceBucket.arnForObjects(key)),
        }),
        new PolicyStatement({
          // both are optional, and only who may list a bucket is told one is not there (404, not 403)
          sid: 'ListTheReferenceBucket',
          actions: ['s3:ListBucket'],
          resources: [props.referenceBucket.bucketArn],
        }),
        // multipart uploads to a KMS-encrypted bucket need Decrypt as well as GenerateDataKey; the
        // configuration is read with Decrypt
        keyThrough(
          props.dataKey,
          ['s3'],
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          'EncryptWithTheBucketKeyThroughS3',
        ),
      ],
    });
    Validations.of(this.switchUploadPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${nagRef(props.cdrBucket)}.Arn>/${CDR_PREFIX}*]`,
      reason:
        'A switch names its own batch objects under cdr/<switch_id>/; it can only create them (PutObject).',
    });

    this.reviewerPolicy = new ManagedPolicy(this, 'ReviewerPolicy', {
      description:
        'Traceguard: a reviewer reads cases and the audit log and decides cases waiting for review',
      statements: [
        new PolicyStatement({
          // cases list (the open-case markers, then the cases), show, decide, audit verify
          sid: 'ReadCases',
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
          resources: [props.casesTable.tableArn],
        }),
        new PolicyStatement({
          // cases show reads a case's stream; audit verify every stream; decide finds a stream's head
          sid: 'ReadAndVerifyTheAuditLog',
          actions: ['dynamodb:Query', 'dynamodb:Scan'],
          resources: [props.auditTable.tableArn],
        }),
        new PolicyStatement({
          // a decision refused before it reaches the workflow (the proposer approving a termination...)
          // is recorded on the case: its refusals and updatedAt only, so no status or decision of a
          // case can be written by hand
          sid: 'RecordRefusedDecisionsOnCases',
          actions: ['dynamodb:UpdateItem'],
          resources: [props.casesTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CASE_PK_PREFIX}*`] },
            'ForAllValues:StringEquals': {
              'dynamodb:Attributes': [...CASES_KEY_ATTRIBUTES, REFUSALS, UPDATED_AT],
            },
          },
        }),
        new PolicyStatement({
          // ... and appended to the case's audit stream, no other stream
          sid: 'AppendRefusalsToCaseStreams',
          actions: ['dynamodb:PutItem'],
          resources: [props.auditTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [auditPk(auditStreams.forCase('*'))] },
          },
        }),
        new PolicyStatement({
          // the daily exports, read with the AWS CLI or console (no traceguard command reads them)
          sid: 'ReadAuditExports',
          actions: ['s3:GetObject'],
          resources: [props.auditExportBucket.arnForObjects(`${AUDIT_EXPORT_PREFIX}*`)],
        }),
        keyThrough(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt'], 'DecryptThroughDynamoDBAndS3'),
        keyThrough(props.dataKey, ['dynamodb'], ['kms:GenerateDataKey'], 'RecordRefusalsThroughDynamoDB'),
        new PolicyStatement({
          // a decision is the answer to the review task; the task token is the capability, and IAM
          // cannot scope tokens of service-integration tasks to a state machine
          sid: 'AnswerReviewTasks',
          actions: ['states:SendTaskSuccess'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(this.reviewerPolicy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'states:SendTaskSuccess for callback task tokens accepts no resource-level scope.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(props.auditExportBucket)}.Arn>/${AUDIT_EXPORT_PREFIX}*]`,
        reason: 'Reviewers read any daily export under audit-export/ (read only, objects are locked).',
      },
    );
  }
}
