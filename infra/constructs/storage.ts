import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The attribute Powertools idempotency writes the record's expiry to (epoch seconds), used as TTL. */
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiration';

export interface StorageProps {
  key: IKey;
  archiveTransitionDays: number;
  auditRetentionYears: number;
}

/** A secondary index as docs/wiring.md names it: partition key and optional sort key, both strings. */
interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

/**
 * The stateful half of Traceguard: the buckets and tables. Everything here is retained when the stack
 * is deleted, and its construct ids must not change (a new logical id replaces the resource), which
 * test/infra/stateful-ids.test.ts guards.
 */
export class Storage extends Construct {
  readonly cdrBucket: Bucket;
  readonly referenceBucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly aggregatesTable: Table;
  readonly manifestTable: Table;
  readonly customersTable: Table;
  readonly casesTable: Table;
  readonly tracebacksTable: Table;
  readonly auditTable: Table;
  readonly idempotencyTable: Table;
  readonly reviewTokensTable: Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);

    // Server access logs (who read which CDR batch) are kept as long as the audit trail. S3 cannot
    // deliver access logs to a bucket encrypted with a customer key, hence SSE-S3 here.
    this.accessLogBucket = new Bucket(this, 'AccessLogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-after-audit-retention', expiration: Duration.days(366 * props.auditRetentionYears) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log destination itself; logging it into itself would loop.',
    });

    this.cdrBucket = new Bucket(this, 'CdrBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'cdr-bucket/',
      lifecycleRules: [
        {
          // batches stay searchable by traceback (Glacier IR reads in milliseconds), just cheaper
          id: 'archive-cdr-batches',
          transitions: [
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.archiveTransitionDays),
            },
          ],
          noncurrentVersionTransitions: [
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.archiveTransitionDays),
            },
          ],
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.referenceBucket = new Bucket(this, 'ReferenceBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'reference-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // the exactly-once APPLIED markers carry `expiresAt` (epoch s): they only need to outlive redeliveries
    this.aggregatesTable = this.table('AggregatesTable', props.key, [], 'expiresAt');
    this.manifestTable = this.table('ManifestTable', props.key, [
      { name: 'byBatch', partitionKey: 'batchId' },
    ]);
    this.customersTable = this.table('CustomersTable', props.key, []);
    this.casesTable = this.table('CasesTable', props.key, [
      { name: 'byCustomer', partitionKey: 'customerId', sortKey: 'openedAt' },
    ]);
    this.tracebacksTable = this.table('TracebacksTable', props.key, [
      { name: 'byStatus', partitionKey: 'status', sortKey: 'deadline' },
    ]);
    this.auditTable = this.table('AuditTable', props.key, []);
    // Powertools idempotency records of notify-oncall and write-audit (a duplicate delivery of one
    // event pages once and is audited once); each record expires by TTL once the window has passed
    this.idempotencyTable = this.table('IdempotencyTable', props.key, [], IDEMPOTENCY_EXPIRY_ATTRIBUTE);
    // the task tokens of waiting reviews, apart from the cases and dossiers reviewers read: a token
    // answers its review as whoever holds it, so only the workflow steps and the decision function may
    this.reviewTokensTable = this.table('ReviewTokensTable', props.key, []);
  }

  /** Every table alike: `pk`/`sk` strings, on demand, customer key, PITR, deletion protection, retained. */
  private table(id: string, key: IKey, indexes: IndexSpec[], timeToLiveAttribute?: string): Table {
    const table = new Table(this, id, {
      timeToLiveAttribute,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: index.sortKey ? { name: index.sortKey, type: AttributeType.STRING } : undefined,
      });
    }
    return table;
  }
}
