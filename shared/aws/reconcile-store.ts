import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { objectCreatedMessage } from '../ingest/messages.ts';
import type { BatchObject } from '../ingest/ports.ts';
import type { IngestRequeue, ListedObject, ObjectListing, ReconcileLedger } from '../ingest/reconcile.ts';

/**
 * AWS adapters of the reconciliation sweep. The sweep's own items live in the Manifest table under
 * partition keys starting with `RECONCILE` (the checkpoint, one item per re-enqueued batch), so its
 * role can read batch items and write only those.
 */
export const RECONCILE_PK_PREFIX = 'RECONCILE';
const CHECKPOINT_KEY = { pk: RECONCILE_PK_PREFIX, sk: 'CHECKPOINT' };
const requeueKey = (batchId: string) => ({ pk: `${RECONCILE_PK_PREFIX}#${batchId}`, sk: 'REQUEUE' });

export class S3ObjectListing implements ObjectListing {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async page(prefix: string, startAfter: string | null, limit: number) {
    const out = await this.#s3.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: prefix,
        StartAfter: startAfter ?? undefined,
        MaxKeys: limit,
      }),
    );
    const objects: ListedObject[] = (out.Contents ?? []).map((o) => ({
      key: String(o.Key),
      etag: String(o.ETag ?? ''),
      size: Number(o.Size ?? 0),
      lastModifiedMs: o.LastModified ? o.LastModified.getTime() : 0,
    }));
    return { objects, more: Boolean(out.IsTruncated) };
  }

  async versionOf(key: string): Promise<string | null> {
    return versionIdOf(await this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key })));
  }
}

/** The version S3 answered for an object as ingest's batch id takes it (an S3 event's versionId). */
export function versionIdOf(head: { VersionId?: string }): string | null {
  // an unversioned bucket answers no version, or the literal "null"
  return head.VersionId && head.VersionId !== 'null' ? head.VersionId : null;
}

export class DynamoReconcileLedger implements ReconcileLedger {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async known(batchId: string, staleBeforeMs: number): Promise<boolean> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `BATCH#${batchId}`, sk: 'BATCH' },
        ProjectionExpression: '#status, startedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return false;
    if (out.Item.status === 'done') return true;
    // processing: still on its way, unless it began before the stale line and never finished
    const started = Date.parse(String(out.Item.startedAt ?? ''));
    return !(started < staleBeforeMs);
  }

  async checkpoint(): Promise<string | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: CHECKPOINT_KEY, ConsistentRead: true }),
    );
    return typeof out.Item?.afterKey === 'string' ? out.Item.afterKey : null;
  }

  async saveCheckpoint(afterKey: string | null): Promise<void> {
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...CHECKPOINT_KEY, afterKey: afterKey ?? undefined },
      }),
    );
  }

  async claimRequeue(batchId: string, nowMs: number): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...requeueKey(batchId), requeuedAt: new Date(nowMs).toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async requeued(batchId: string): Promise<boolean> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: requeueKey(batchId),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }

  async releaseRequeue(batchId: string): Promise<void> {
    await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: requeueKey(batchId) }));
  }
}

export class SqsIngestRequeue implements IngestRequeue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(object: BatchObject): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: objectCreatedMessage(object) }),
    );
  }
}
