import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { HOUR_MS, isoUtc } from '../cdr/time.ts';
import { contentKey, manifestHour } from '../ingest/keys.ts';
import {
  type BatchIdentity,
  type BatchTotals,
  earlierRowsOf,
  type HourSpan,
  type KeyClaim,
  type KeyCounted,
  type KeyFinish,
  MAX_KEYS_PER_READ,
  type ManifestBatch,
  type ManifestStore,
  type PartCut,
  RetryableStoreError,
  type UnfinishedBatch,
} from '../ingest/ports.ts';
import { asRetryable, untilProcessed } from './aggregate-store.ts';
import { queryAll } from './dynamo-query.ts';

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

const batchKey = (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'BATCH' });
const objectKey = (bucket: string, key: string) => ({ pk: `KEY#${bucket}/${key}`, sk: 'KEY' });
const begunPk = (hourMs: number) => `BEGUN#${manifestHour(hourMs)}`;

function keyCountedOf(value: unknown): KeyCounted | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  return {
    batchId: String(v.batchId),
    endRow: Number(v.endRow),
    ...(typeof v.heldBack === 'number' && v.heldBack > 0 ? { heldBack: v.heldBack } : {}),
    calls: Number(v.calls),
    sha256: String(v.sha256),
    bytes: Number(v.bytes),
  };
}

/**
 * Manifest table (docs/wiring.md): the batch item `BATCH#<batchId>` / `BATCH` (identity, status,
 * parts with their fixed ends, checkpoint, totals), HOUR index items `HOUR#<yyyy-mm-ddThh>` /
 * `<switch>#<batchId>` that let traceback lookups read only the hours around a call, and content items
 * `CONTENT#<etag>#<size>` / `CONTENT` naming the batch whose bytes they are (and
 * `CONTENT#decoded:<sha256>#<bytes>`, whose decoded lines they are: see claimContent), and key items
 * `KEY#<bucket>/<key>` / `KEY` holding the key's latest counted version (`counted`) and the batch
 * counting a newer one now (`claim`, with the version it builds on, `claimBase`), and begun items
 * `BEGUN#<yyyy-mm-ddThh>` / `<batchId>`, one per batch in the hour ingest began it, that let the day
 * review find the batches not done yet with a query per hour (unfinishedBegun).
 */
export class DynamoManifestStore implements ManifestStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  /** `now`: the time the items record (a batch's begin decides its BEGUN hour); a test's clock */
  constructor(doc: DynamoDBDocumentClient, table: string, now: () => number = Date.now) {
    this.#doc = doc;
    this.#table = table;
    this.#now = now;
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
      ...(typeof item.refused === 'string' ? { refused: item.refused } : {}),
      ...(typeof item.repeatOf === 'string' ? { repeatOf: item.repeatOf } : {}),
      failure: typeof item.failure === 'string' ? item.failure : null,
      totals:
        item.status === 'done' && typeof item.rows === 'number'
          ? {
              rows: item.rows,
              calls: Number(item.calls),
              quarantined: Number(item.quarantined),
              ...earlierRowsOf(item),
              ...(typeof item.repeated === 'number' ? { repeated: item.repeated } : {}),
            }
          : null,
    };
  }

  async begin(batch: BatchIdentity): Promise<void> {
    const startedMs = this.#now();
    try {
      // the batch item and its begun item together: no batch the day review could not find
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
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
                  startedAt: isoUtc(startedMs),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.#table, Item: { pk: begunPk(startedMs), sk: batch.batchId } } },
          ],
        }),
      );
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      // begun before: its items are there
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return;
      if ((error as { name?: string })?.name === 'TransactionCanceledException')
        throw new RetryableStoreError(`manifest of ${batch.batchId}: ${(error as Error).message}`);
      throw asRetryable(error, `manifest of ${batch.batchId}`);
    }
  }

  async reopen(batchId: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: batchKey(batchId),
          UpdateExpression:
            'SET #status = :processing, parts = :none, reopenedAt = :at REMOVE checkpoint, #rows, calls, quarantined, firstMs, lastMs, #format, finishedAt, repeated, alreadyCounted, alreadyQuarantined, readAgain, failure, failedAt',
          // countedNoCall, as a condition: only one delivery reopens it, and never a batch that counted
          ConditionExpression:
            '#status = :done AND calls = :zero AND quarantined > :zero AND attribute_not_exists(refused) AND attribute_not_exists(repeatOf) AND (attribute_not_exists(repeated) OR repeated = :zero) AND (attribute_not_exists(alreadyCounted) OR alreadyCounted = :zero)',
          ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows', '#format': 'format' },
          ExpressionAttributeValues: {
            ':processing': 'processing',
            ':done': 'done',
            ':none': {},
            ':zero': 0,
            ':at': isoUtc(Date.now()),
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw asRetryable(error, `reopening ${batchId}`);
    }
  }

  async claimContent(batch: BatchIdentity, content = contentKey(batch)): Promise<string> {
    const Key = { pk: `CONTENT#${content}`, sk: 'CONTENT' };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...Key, batchId: batch.batchId, key: batch.key, claimedAt: isoUtc(this.#now()) },
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

  async releaseContent(batch: BatchIdentity, content = contentKey(batch)): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: `CONTENT#${content}`, sk: 'CONTENT' },
          ConditionExpression: 'batchId = :b',
          ExpressionAttributeValues: { ':b': batch.batchId },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `content release of ${batch.batchId}`);
    }
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
          // a delivery that got this far ends an earlier one's failure (see fail)
          UpdateExpression: 'SET checkpoint = :c, checkpointAt = :at REMOVE failure, failedAt',
          ExpressionAttributeValues: { ':c': next, ':at': isoUtc(this.#now()) },
        }),
      ),
    );
  }

  async claimKey(batch: BatchIdentity): Promise<KeyClaim> {
    const Key = objectKey(batch.bucket, batch.key);
    const what = `key claim of ${batch.batchId}`;
    try {
      // the base is copied once, at the first claim: every part and redelivery builds on the same one
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key,
          UpdateExpression: 'SET claim = :b, claimBase = if_not_exists(counted, :none), claimedAt = :at',
          ConditionExpression: 'attribute_not_exists(claim)',
          ExpressionAttributeValues: { ':b': batch.batchId, ':none': null, ':at': isoUtc(this.#now()) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { base: keyCountedOf(out.Attributes?.claimBase) };
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, what);
    }
    const out = await this.#guard(what, () =>
      this.#doc.send(new GetCommand({ TableName: this.#table, Key, ConsistentRead: true })),
    );
    const holder = out.Item?.claim;
    if (holder === batch.batchId) return { base: keyCountedOf(out.Item?.claimBase) };
    // released between the two calls: the redelivery claims it
    return { heldBy: typeof holder === 'string' ? holder : 'a batch that just finished' };
  }

  async releaseKey(batch: BatchIdentity): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: objectKey(batch.bucket, batch.key),
          UpdateExpression: 'REMOVE claim, claimBase',
          ConditionExpression: 'claim = :b',
          ExpressionAttributeValues: { ':b': batch.batchId },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `key release of ${batch.batchId}`);
    }
  }

  async finish(batchId: string, totals: BatchTotals, key?: KeyFinish): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#rows': 'rows', '#format': 'format' };
    const values: Record<string, unknown> = {
      ':done': 'done',
      ':rows': totals.rows,
      ':calls': totals.calls,
      ':q': totals.quarantined,
      ':f': totals.firstMs,
      ':l': totals.lastMs,
      ':format': totals.format,
      ':at': isoUtc(this.#now()),
    };
    let set =
      'SET #status = :done, #rows = :rows, calls = :calls, quarantined = :q, firstMs = :f, lastMs = :l, #format = :format, finishedAt = :at';
    if (totals.refused !== undefined) {
      set += ', refused = :refused';
      values[':refused'] = totals.refused;
    }
    if (totals.repeatOf !== undefined) {
      set += ', repeatOf = :repeatOf';
      values[':repeatOf'] = totals.repeatOf;
    }
    for (const [name, value] of Object.entries(earlierRowsOf(totals))) {
      set += `, ${name} = :${name}`;
      values[`:${name}`] = value;
    }
    if (totals.repeated !== undefined) {
      set += ', repeated = :repeated';
      values[':repeated'] = totals.repeated;
    }
    // a delivery that read the batch ends what an earlier one could not read (see fail)
    set += ' REMOVE failure, failedAt';
    const batchUpdate = {
      TableName: this.#table,
      Key: batchKey(batchId),
      UpdateExpression: set,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const what = `manifest totals of ${batchId}`;
    if (!key) {
      await this.#guard(what, () => this.#doc.send(new UpdateCommand(batchUpdate)));
      return;
    }
    // a repeat of a finish that went through finds its version counted (or the key left, when refused)
    const keyUpdate = key.counted
      ? {
          UpdateExpression: 'SET counted = :c, countedAt = :at REMOVE claim, claimBase',
          ConditionExpression: 'claim = :b OR counted.batchId = :b',
          ExpressionAttributeValues: { ':c': key.counted, ':b': batchId, ':at': isoUtc(this.#now()) },
        }
      : {
          UpdateExpression: 'REMOVE claim, claimBase',
          ConditionExpression: 'claim = :b OR attribute_not_exists(claim)',
          ExpressionAttributeValues: { ':b': batchId },
        };
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: batchUpdate },
            { Update: { TableName: this.#table, Key: objectKey(key.bucket, key.key), ...keyUpdate } },
          ],
        }),
      );
    } catch (error) {
      // a conflict, or the key held by another batch: redelivered, the batch is done or tries again
      if ((error as { name?: string })?.name === 'TransactionCanceledException')
        throw new RetryableStoreError(`${what} and its key ${key.key}: ${(error as Error).message}`);
      throw asRetryable(error, what);
    }
  }

  async fail(batchId: string, reason: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: batchKey(batchId),
          UpdateExpression: 'SET failure = :reason, failedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :done',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reason': reason, ':done': 'done', ':at': isoUtc(this.#now()) },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw asRetryable(error, `manifest failure of ${batchId}`);
    }
  }

  async unfinishedBegun(fromMs: number, toMs: number): Promise<UnfinishedBatch[]> {
    const batchIds: string[] = [];
    for (let h = Math.floor(fromMs / HOUR_MS) * HOUR_MS; h <= toMs; h += HOUR_MS) {
      const items = await this.#guard(`manifest ${begunPk(h)}`, () =>
        queryAll(this.#doc, {
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': begunPk(h) },
        }),
      );
      batchIds.push(...items.map((i) => String(i.sk)));
    }
    const unfinished: UnfinishedBatch[] = [];
    for (let i = 0; i < batchIds.length; i += MAX_KEYS_PER_READ) {
      const keys: Array<Record<string, unknown>> = batchIds.slice(i, i + MAX_KEYS_PER_READ).map(batchKey);
      const what = `manifest of ${keys.length} batches begun from ${isoUtc(fromMs)}`;
      await this.#guard(what, () =>
        untilProcessed(keys, what, async (left) => {
          const out = await this.#doc.send(
            new BatchGetCommand({
              RequestItems: {
                [this.#table]: {
                  Keys: left,
                  ProjectionExpression: 'batchId, #status, failure, parts, startedAt',
                  ExpressionAttributeNames: { '#status': 'status' },
                },
              },
            }),
          );
          for (const item of out.Responses?.[this.#table] ?? []) {
            if (item.status === 'done') continue;
            unfinished.push({
              batchId: String(item.batchId),
              startedMs: Date.parse(String(item.startedAt)),
              parts: (item.parts ?? {}) as Record<string, PartCut>,
              failure: typeof item.failure === 'string' ? item.failure : null,
            });
          }
          return (out.UnprocessedKeys?.[this.#table]?.Keys ?? []) as Array<Record<string, unknown>>;
        }),
      );
    }
    return unfinished;
  }

  async #guard<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw asRetryable(error, what);
    }
  }
}
