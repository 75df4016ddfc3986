import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

/** The AWS services a person's policy may use a stack key through. */
export type KeyService = 'dynamodb' | 's3' | 'sqs' | 'sns';

/**
 * Use of one of the stack's keys in a policy for people: only through the named services
 * (`kms:ViaService`), so the key decrypts what the tables, buckets, queues and topics hold for whoever
 * may read them there, and nothing handed to KMS directly.
 */
export function keyThrough(
  key: IKey,
  services: readonly KeyService[],
  actions: readonly ('kms:Decrypt' | 'kms:GenerateDataKey')[],
  sid: string,
): PolicyStatement {
  const { region } = Stack.of(key);
  const via = services.map((s) => `${s}.${region}.amazonaws.com`);
  return new PolicyStatement({
    sid,
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': via.length === 1 ? via[0] : via } },
  });
}
