import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoUtc } from '../cdr/time.ts';
import { contentKey, manifestHour } from '../ingest/keys.ts';
import type {
  BatchIdentity,
  HourSpan,
  ManifestBatch,
  ManifestStore,
  PartCut,
  PartStats,
} from '../ingest/ports.ts';
import { asRetryable } from './aggregate-store.ts';

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

const batchKey = (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'BATCH' });

/**
 * Manifest table (docs/wiring.md): the batch item `BATCH#<batchId>` / `BATCH` (identity, status,
 * parts with their fixed ends, checkpoint, totals), HOUR index items `HOUR#<yyyy-mm-ddThh>` /
 * `<switch>#<batchId>` that let traceback lookups read only the hours around a call, and content items
 * `CONTENT#<etag>#<size>` / `CONTENT` naming the batch whose bytes they are (see claimContent).
 */
export class DynamoManifestStore implements ManifestStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async get(batchId: string): Promise<ManifestBatch | null> {
    const out = await this.#guard(`manifest of ${batchId}`, () =>
      this.#doc.send(
        new GetCommand({ TableName: this.#table, Key: batchKey(batchId), ConsistentRead: true }),
      ),
    );
    const item = out.Item;
    if (!item) return null;
    return {
      batchId,
      status: item.status === 'done' ? 'done' : 'processing',
      parts: (item.parts ?? {}) as Record<string, PartCut>,
      checkpoint: (item.checkpoint ?? null) as ManifestBatch['checkpoint'],
    };
  }

  async begin(batch: BatchIdentity): Promise<void> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...batchKey(batch.batchId),
            batchId: batch.batchId,
            bucket: batch.bucket,
            key: batch.key,
            versionId: batch.versionId,
            etag: batch.etag,
            switch: batch.switchId,
            size: batch.size,
            status: 'processing',
            parts: {},
            startedAt: isoUtc(Date.now()),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `manifest of ${batch.batchId}`);
    }
  }

  async claimContent(batch: BatchIdentity): Promise<string> {
    const Key = { pk: `CONTENT#${contentKey(batch)}`, sk: 'CONTENT' };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...Key, batchId: batch.batchId, key: batch.key, claimedAt: isoUtc(Date.now()) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return batch.batchId;
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `content claim of ${batch.batchId}`);
    }
    const out = await this.#guard(`content claim of ${batch.batchId}`, () =>
      this.#doc.send(new GetCommand({ TableName: this.#table, Key, ConsistentRead: true })),
    );
    return String(out.Item?.batchId ?? batch.batchId);
  }

  async recordPart(batchId: string, part: number, cut: PartCut): Promise<PartCut> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: batchKey(batchId),
          UpdateExpression: 'SET parts.#n = :cut',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(parts.#n)',
          ExpressionAttributeNames: { '#n': String(part) },
          ExpressionAttributeValues: { ':cut': cut },
        }),
      );
      return cut;
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `manifest part ${part} of ${batchId}`);
    }
    const existing = (await this.get(batchId))?.parts[String(part)];
    if (!existing) throw new Error(`manifest: batch item ${batchId} is missing; cannot record part ${part}`);
    return existing;
  }

  async recordHours(batch: BatchIdentity, hours: HourSpan[]): Promise<void> {
    for (const h of hours) await this.#recordHour(batch, h);
  }

  /** one write when the item is new or our span covers it; else widen first and last separately */
  async #recordHour(batch: BatchIdentity, h: HourSpan): Promise<void> {
    const Key = { pk: `HOUR#${manifestHour(h.hourMs)}`, sk: `${batch.switchId}#${batch.batchId}` };
    const identity = {
      ':bucket': batch.bucket,
      ':key': batch.key,
      ':version': batch.versionId,
      ':switch': batch.switchId,
      ':batchId': batch.batchId,
    };
    const setIdentity =
      '#bucket = :bucket, #key = :key, versionId = :version, #switch = :switch, batchId = :batchId';
    const names = { '#bucket': 'bucket', '#key': 'key', '#switch': 'switch' };
    const attempt = async (
      expression: string,
      condition: string,
      values: Record<string, unknown>,
      withNames = true,
    ) => {
      try {
        await this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key,
            UpdateExpression: expression,
            ConditionExpression: condition,
            ...(withNames ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw asRetryable(error, `manifest hour ${Key.pk}`);
      }
    };
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key,
          UpdateExpression: `SET ${setIdentity}, firstMs = :f, lastMs = :l`,
          ConditionExpression: 'attribute_not_exists(pk) OR (firstMs >= :f AND lastMs <= :l)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...identity, ':f': h.firstMs, ':l': h.lastMs },
        }),
      );
      return;
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `manifest hour ${Key.pk}`);
    }
    await attempt('SET firstMs = :f', 'firstMs > :f', { ':f': h.firstMs }, false);
    await attempt('SET lastMs = :l', 'lastMs < :l', { ':l': h.lastMs }, false);
  }

  async checkpoint(batchId: string, next: { part: number; skipRows: number }): Promise<void> {
    await this.#guard(`manifest checkpoint of ${batchId}`, () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: batchKey(batchId),
          UpdateExpression: 'SET checkpoint = :c, checkpointAt = :at',
          ExpressionAttributeValues: { ':c': next, ':at': isoUtc(Date.now()) },
        }),
      ),
    );
  }

  async finish(batchId: string, totals: PartStats & { format: string }): Promise<void> {
    await this.#guard(`manifest totals of ${batchId}`, () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: batchKey(batchId),
          UpdateExpression:
            'SET #status = :done, #rows = :rows, calls = :calls, quarantined = :q, firstMs = :f, lastMs = :l, #format = :format, finishedAt = :at',
          ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows', '#format': 'format' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':rows': totals.rows,
            ':calls': totals.calls,
            ':q': totals.quarantined,
            ':f': totals.firstMs,
            ':l': totals.lastMs,
            ':format': totals.format,
            ':at': isoUtc(Date.now()),
          },
        }),
      ),
    );
  }

  async #guard<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw asRetryable(error, what);
    }
  }
}
