import { describe, expect, it } from 'vitest';
import { type CfnResource, synthTraceguard } from './synth.ts';

/**
 * A changed logical id makes CloudFormation create a new resource and drop the old one from the
 * stack: a new, empty table or bucket. Everything stateful is pinned here; change this list only with
 * a migration plan (the old resources are retained, not deleted, but the data stays behind).
 */
const PINNED: Record<string, string> = {
  StatefulEncryptionDataKeyD57B49EB: 'AWS::KMS::Key',
  StatefulEncryptionMessagingKey21832D2B: 'AWS::KMS::Key',
  StatefulStorageAccessLogBucketEFB52429: 'AWS::S3::Bucket',
  StatefulStorageCdrBucketDBBE727F: 'AWS::S3::Bucket',
  StatefulStorageReferenceBucket251B5DDD: 'AWS::S3::Bucket',
  StatefulStorageAggregatesTable821A2ACE: 'AWS::DynamoDB::Table',
  StatefulStorageAuditTable7B85C959: 'AWS::DynamoDB::Table',
  StatefulStorageCasesTable36800484: 'AWS::DynamoDB::Table',
  StatefulStorageCustomersTable7D4348A2: 'AWS::DynamoDB::Table',
  StatefulStorageManifestTable37AE33CA: 'AWS::DynamoDB::Table',
  StatefulStorageTracebacksTable0C5DDF36: 'AWS::DynamoDB::Table',
  StatefulStorageIdempotencyTableD04F7EE7: 'AWS::DynamoDB::Table',
  StatefulStorageReviewTokensTable74D5036F: 'AWS::DynamoDB::Table',
  // the escalation construct's Object Lock audit export: stateful although it sits in the Stateless half
  StatelessEscalationAuditExportBucketE24C780E: 'AWS::S3::Bucket',
  // onboarding dossiers (ID numbers, addresses, review history): stateful in the Stateless half too
  StatelessOnboardingDossiersTable6619BE37: 'AWS::DynamoDB::Table',
};

const STATEFUL_TYPES = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::DynamoDB::Table'];

describe('stateful resources', () => {
  const { template } = synthTraceguard();
  const stateful = Object.entries(
    template.toJSON().Resources as Record<string, CfnResource & { DeletionPolicy?: string }>,
  ).filter(([, r]) => STATEFUL_TYPES.includes(r.Type));

  it('keep their logical ids', () => {
    expect(Object.fromEntries(stateful.map(([id, r]) => [id, r.Type]))).toEqual(PINNED);
  });

  it('are all retained when removed from the stack or replaced', () => {
    for (const [id, r] of stateful)
      expect(r, id).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
