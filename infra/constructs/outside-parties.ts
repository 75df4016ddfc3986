import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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
 * - reviewers read cases and the audit log; they decide (`traceguard cases decide`) only through the
 *   decision function (Decisions.allowDeciding), which records who they are as IAM verified it, and
 *   they write nothing themselves.
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
        'Traceguard: a reviewer reads cases and the audit log (decisions go through the decision function URL)',
      statements: [
        new PolicyStatement({
          // cases list (the open-case markers, then the cases), show, audit verify; review task tokens
          // are in the ReviewTokens table, which no reviewer reads
          sid: 'ReadCases',
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
          resources: [props.casesTable.tableArn],
        }),
        new PolicyStatement({
          // cases show reads a case's stream; audit verify every stream
          sid: 'ReadAndVerifyTheAuditLog',
          actions: ['dynamodb:Query', 'dynamodb:Scan'],
          resources: [props.auditTable.tableArn],
        }),
        new PolicyStatement({
          // the daily exports, read with the AWS CLI or console (no traceguard command reads them)
          sid: 'ReadAuditExports',
          actions: ['s3:GetObject'],
          resources: [props.auditExportBucket.arnForObjects(`${AUDIT_EXPORT_PREFIX}*`)],
        }),
        keyThrough(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt'], 'DecryptThroughDynamoDBAndS3'),
      ],
    });
    Validations.of(this.reviewerPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${nagRef(props.auditExportBucket)}.Arn>/${AUDIT_EXPORT_PREFIX}*]`,
      reason: 'Reviewers read any daily export under audit-export/ (read only, objects are locked).',
    });
  }
}
