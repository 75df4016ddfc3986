import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard({ archiveTransitionDays: 45 });
});

const bucket = (hint: string): CfnResource =>
  synth.template.toJSON().Resources[logicalIdOf(synth.template, 'AWS::S3::Bucket', hint)];

describe('CdrBucket, ReferenceBucket and AuditExportBucket', () => {
  it.each(['CdrBucket', 'ReferenceBucket', 'AuditExportBucket'])(
    '%s is KMS-encrypted with the data key, versioned and private',
    (hint) => {
      const dataKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'DataKey');
      const props = bucket(hint).Properties!;
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [dataKey, 'Arn'] },
        },
      });
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const accessLogs = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'AccessLogBucket');
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: accessLogs });
      expect(bucket(hint)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    },
  );

  it("logs each bucket's server access under a prefix of its own", () => {
    const prefixes = ['CdrBucket', 'ReferenceBucket', 'AuditExportBucket'].map(
      (hint) => bucket(hint).Properties!.LoggingConfiguration.LogFilePrefix,
    );
    expect(prefixes).toEqual(['cdr-bucket/', 'reference-bucket/', 'audit-export-bucket/']);
  });

  it.each(['CdrBucket', 'ReferenceBucket', 'AccessLogBucket'])(
    '%s denies every request not made over TLS',
    (hint) => {
      const id = logicalIdOf(synth.template, 'AWS::S3::Bucket', hint);
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    },
  );

  it('moves CDR batches and their old versions to Glacier Instant Retrieval after archiveTransitionDays', () => {
    const rules = bucket('CdrBucket').Properties!.LifecycleConfiguration.Rules;
    const archive = rules.find((r: { Id: string }) => r.Id === 'archive-cdr-batches');
    expect(archive.Status).toBe('Enabled');
    expect(archive.Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 45 }]);
    expect(archive.NoncurrentVersionTransitions).toEqual([
      { StorageClass: 'GLACIER_IR', TransitionInDays: 45 },
    ]);
    // the pipeline never deletes a batch: no expiration of current or old versions
    expect(archive.ExpirationInDays).toBeUndefined();
    expect(archive.NoncurrentVersionExpiration).toBeUndefined();
  });

  it('keeps access logs as long as the audit retention (5 years by default)', () => {
    const rules = bucket('AccessLogBucket').Properties!.LifecycleConfiguration.Rules;
    expect(rules).toEqual([
      { Id: 'expire-after-audit-retention', ExpirationInDays: 5 * 366, Status: 'Enabled' },
    ]);
  });
});

describe('KMS keys', () => {
  it('rotates both keys and retains them', () => {
    const keys = resourcesOfType(synth.template, 'AWS::KMS::Key');
    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'StatefulEncryptionDataKey',
      'StatefulEncryptionMessagingKey',
    ]);
    for (const [, key] of keys) {
      expect(key.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 365 });
      expect(key).toMatchObject({ DeletionPolicy: 'Retain' });
    }
  });
});

describe('tables (docs/wiring.md)', () => {
  const expected: Record<string, { name: string; keys: [string, string?] }[]> = {
    AggregatesTable: [],
    ManifestTable: [{ name: 'byBatch', keys: ['batchId'] }],
    CustomersTable: [],
    CasesTable: [{ name: 'byCustomer', keys: ['customerId', 'openedAt'] }],
    TracebacksTable: [{ name: 'byStatus', keys: ['status', 'deadline'] }],
    AuditTable: [],
    IdempotencyTable: [],
    // the task tokens of waiting reviews: read only by the steps that park them and the decide function
    ReviewTokensTable: [],
    // onboarding dossiers, the do-not-onboard list and RMD listings (the onboarding construct's own)
    StatelessOnboardingDossiersTable: [],
  };

  it('expires the exactly-once markers of the Aggregates table by TTL, and nothing in the others', () => {
    const ttl = Object.fromEntries(
      resourcesOfType(synth.template, 'AWS::DynamoDB::Table').map(([id, r]) => [
        id.replace(/^StatefulStorage/, '').replace(/[0-9A-F]{8}$/, ''),
        (r as CfnResource).Properties?.TimeToLiveSpecification,
      ]),
    );
    expect(ttl.AggregatesTable).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    // Powertools idempotency records expire once their window has passed
    expect(ttl.IdempotencyTable).toEqual({ AttributeName: 'expiration', Enabled: true });
    // audit records, cases and tracebacks must never silently expire
    for (const t of ['AuditTable', 'CasesTable', 'TracebacksTable']) expect(ttl[t]).toBeUndefined();
  });

  it('has exactly the tables of the wiring: seven of the pipeline and the idempotency records', () => {
    const ids = resourcesOfType(synth.template, 'AWS::DynamoDB::Table').map(([id]) =>
      id.replace(/^StatefulStorage/, '').replace(/[0-9A-F]{8}$/, ''),
    );
    expect(ids.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))(
    '%s: pk/sk strings, its GSIs, on demand, KMS, PITR, protected',
    (hint, gsis) => {
      const dataKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'DataKey');
      const id = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', hint);
      const table = synth.template.toJSON().Resources[id] as CfnResource;
      const props = table.Properties!;
      expect(props.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.SSESpecification).toEqual({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [dataKey, 'Arn'] },
      });
      expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(props.DeletionProtectionEnabled).toBe(true);
      expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });

      const actual = (props.GlobalSecondaryIndexes ?? []).map(
        (g: { IndexName: string; KeySchema: { AttributeName: string }[]; Projection: unknown }) => ({
          name: g.IndexName,
          keys: g.KeySchema.map((k) => k.AttributeName),
          projection: g.Projection,
        }),
      );
      expect(actual).toEqual(
        gsis.map((g) => ({
          name: g.name,
          keys: g.keys.filter(Boolean),
          projection: { ProjectionType: 'ALL' },
        })),
      );
      const stringAttributes = ['pk', 'sk', ...gsis.flatMap((g) => g.keys.filter(Boolean))];
      expect(props.AttributeDefinitions).toEqual(
        expect.arrayContaining(stringAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      );
    },
  );
});
