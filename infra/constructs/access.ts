import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { nagRef } from './nag.ts';

/**
 * Grants and environment variables in one call, so a function can never have a table's name without
 * the permission or the permission without the name (docs/wiring.md fixes the variable names).
 */

export type TableEnv =
  | 'AGGREGATES_TABLE'
  | 'MANIFEST_TABLE'
  | 'CUSTOMERS_TABLE'
  | 'CASES_TABLE'
  | 'TRACEBACKS_TABLE'
  | 'AUDIT_TABLE'
  | 'IDEMPOTENCY_TABLE'
  | 'DOSSIERS_TABLE'
  | 'REVIEW_TOKENS_TABLE';

/**
 * `read` is item reads and queries; a list gives exactly those DynamoDB actions. No CDK grant is used:
 * its read grant adds Scan and its read-write grant DeleteItem and BatchWriteItem, which no function
 * needs (a scan is for operators' tools, never for the pipeline).
 */
export type TableAccess = 'read' | `dynamodb:${string}`[];

const READ_ACTIONS: `dynamodb:${string}`[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

export function useTable(fn: LambdaFunction, env: TableEnv, table: ITable, access: TableAccess): void {
  fn.addEnvironment(env, table.tableName);
  table.grant(fn, ...(access === 'read' ? READ_ACTIONS : access));
  // table.grant() with explicit actions grants no use of the table's key
  table.encryptionKey?.grantDecrypt(fn);
  acknowledge(fn, {
    id: `AwsSolutions-IAM5[Resource::<${nagRef(table)}.Arn>/index/*]`,
    reason: `Queries go through this one table's secondary indexes (docs/wiring.md); no other table's.`,
  });
}

export interface ObjectAccess {
  /** key prefix the function may read (GetObject and GetObjectVersion only), e.g. `cdr/` */
  readPrefix?: string;
  /** key prefix the function may create objects under (PutObject only), e.g. `quarantine/` */
  writePrefix?: string;
}

/**
 * Object-level access under prefixes, and on the bucket itself only `s3:ListBucket` for a reader: CDK's
 * `grantRead` would add `s3:List*` and `s3:GetBucket*`, `grantWrite` would add `s3:DeleteObject*`, which no
 * Traceguard function needs (the pipeline never deletes or rewrites a CDR batch).
 */
export function useBucket(
  fn: LambdaFunction,
  env: 'CDR_BUCKET' | 'REFERENCE_BUCKET',
  bucket: IBucket,
  key: IKey,
  access: ObjectAccess,
): void {
  fn.addEnvironment(env, bucket.bucketName);
  if (access.readPrefix !== undefined) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects(`${access.readPrefix}*`)],
      }),
    );
    // S3 answers a read of a missing key with 404 NoSuchKey only to whoever may list the bucket, and
    // with 403 AccessDenied to anyone else: without it an optional reference object never imported
    // (the trunk map, a policy override) failed every batch instead of reading as absent, and a batch
    // gone from under its key was retried to the dead-letter queue instead of skipped. No condition on
    // s3:prefix: S3 weighs the read without one, so such a grant would not count.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    key.grantDecrypt(fn);
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::<${nagRef(bucket)}.Arn>/${access.readPrefix}*]`,
      reason: `Reads any object under ${access.readPrefix || 'the bucket root'}*: object keys are chosen by switches and operators, not known at deploy time (GetObject/GetObjectVersion only).`,
    });
  }
  if (access.writePrefix !== undefined) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${access.writePrefix}*`)],
      }),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }));
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::<${nagRef(bucket)}.Arn>/${access.writePrefix}*]`,
      reason: `Creates objects under ${access.writePrefix}* only, named after the batch they belong to (PutObject only, no delete or overwrite of other prefixes).`,
    });
  }
}

export function usePublish(
  fn: LambdaFunction,
  env: 'EVENTS_TOPIC_ARN' | 'ONCALL_TOPIC_ARN' | 'ENFORCEMENT_TOPIC_ARN',
  topic: ITopic,
): void {
  fn.addEnvironment(env, topic.topicArn);
  topic.grantPublish(fn);
}

/** cdk-nag findings are on the function's role (a sibling construct), so acknowledge them there. */
function acknowledge(fn: LambdaFunction, rule: { id: string; reason: string }): void {
  if (!fn.role) throw new Error(`${fn.node.path} has no role to acknowledge ${rule.id} on`);
  Validations.of(fn.role).acknowledge(rule);
}
