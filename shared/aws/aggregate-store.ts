import { type ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isoUtc } from '../cdr/time.ts';
import { type WindowJson, windowFromJson, windowToJson } from '../detect/window.ts';
import {
  customerPk,
  isDaySk,
  markerSk,
  REVIEW_DAYS_PK,
  REVIEW_SHARDS,
  reviewCustomersPk,
  reviewDaySk,
  reviewShardOf,
} from '../ingest/keys.ts';
import { backoffMs, sleep } from '../ingest/parallel.ts';
import { STORE_EXACT_LIMIT } from '../ingest/part-collector.ts';
import {
  type AggregateStore,
  type ClaimOutcome,
  type CommitOutcome,
  type CommitRequest,
  type CustomerDay,
  MAX_KEYS_PER_READ,
  MAX_WINDOWS_PER_COMMIT,
  RetryableStoreError,
  type StoredWindow,
  type WindowKey,
} from '../ingest/ports.ts';
import { queryAll } from './dynamo-query.ts';

/** Markers only need to outlive every redelivery of a batch (SQS keeps messages 14 days at most). */
export const MARKER_TTL_DAYS = 35;

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
]);
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/**
 * rounds of UnprocessedKeys or UnprocessedItems (throttled parts of a BatchGetItem or BatchWriteItem)
 * before the request counts as throttled
 */
const UNPROCESSED_ROUNDS = 6;

/**
 * Sends `todo`, then what DynamoDB left unprocessed of it (`send` returns that), with backoff, until
 * nothing is left; after UNPROCESSED_ROUNDS rounds the rest counts as throttled.
 */
export async function untilProcessed<T>(
  todo: T[],
  what: string,
  send: (left: T[]) => Promise<T[]>,
): Promise<void> {
  let left = todo;
  for (let round = 0; left.length > 0; round++) {
    if (round === UNPROCESSED_ROUNDS)
      throw new RetryableStoreError(`${what}: ${left.length} still unprocessed after ${round} rounds`);
    if (round > 0) await sleep(backoffMs(round - 1, 25, 1000));
    left = await send(left);
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

/** Throttling and transient conflicts become RetryableStoreError; everything else is left alone. */
export function asRetryable(error: unknown, what: string): unknown {
  // the service's own error goes along: its message and request id are what the log needs
  if (RETRYABLE.has(errorName(error)))
    return new RetryableStoreError(`${what}: ${errorName(error)}`, { cause: error });
  return error;
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

interface WindowItem {
  v?: number;
  w?: string;
  tc?: Record<string, number>;
  sev?: number;
}

function toStored(item: Record<string, unknown>): StoredWindow {
  const it = item as WindowItem;
  return {
    window: windowFromJson(JSON.parse(String(it.w)) as WindowJson, STORE_EXACT_LIMIT),
    trunkCalls: it.tc ?? {},
    version: Number(it.v ?? 0),
    sev: Number(it.sev ?? 0),
  };
}

/** One window's share of a cancelled transaction, from the reasons of its marker and window items. */
function outcomeOf(marker: string, window: string, request: CommitRequest): CommitOutcome {
  if (marker === 'ConditionalCheckFailed') return 'already-applied';
  if (window === 'ConditionalCheckFailed') return 'version-conflict';
  if (RETRYABLE_REASONS.has(marker) || RETRYABLE_REASONS.has(window)) return 'contended';
  if (marker === 'None' && window === 'None') return 'cancelled';
  throw new Error(
    `merge of window ${request.sk} of customer ${request.customerId} refused by DynamoDB: marker ${marker}, window ${window}`,
  );
}

/**
 * Aggregates table (docs/wiring.md): window items `CUST#<c>` / `H#<hour>` or `T#<trunk>#H#<hour>`
 * holding the window as JSON in `w`, version `v`, calls per trunk `tc`, published severity `sev`;
 * marker items `APPLIED#<applyId>#<window sk>` with TTL attribute `expiresAt`.
 */
export class DynamoAggregateStore implements AggregateStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async read(customerId: string, sk: string): Promise<StoredWindow | null> {
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: customerPk(customerId), sk },
          ConsistentRead: true,
        }),
      );
      return out.Item ? toStored(out.Item) : null;
    } catch (error) {
      throw asRetryable(error, `read ${sk}`);
    }
  }

  async readMany(keys: WindowKey[]): Promise<Array<StoredWindow | null>> {
    if (keys.length === 0) return [];
    if (keys.length > MAX_KEYS_PER_READ) {
      throw new RangeError(`readMany: ${keys.length} keys, BatchGetItem takes at most ${MAX_KEYS_PER_READ}`);
    }
    const found = new Map<string, StoredWindow>();
    const todo: Array<Record<string, unknown>> = keys.map((k) => ({
      pk: customerPk(k.customerId),
      sk: k.sk,
    }));
    try {
      await untilProcessed(todo, `read of ${keys.length} windows`, async (left) => {
        const out = await this.#doc.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: left, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.#table] ?? []) {
          found.set(`${item.pk}|${item.sk}`, toStored(item));
        }
        return (out.UnprocessedKeys?.[this.#table]?.Keys ?? []) as Array<Record<string, unknown>>;
      });
    } catch (error) {
      throw asRetryable(
        error,
        `read of ${keys.length} windows (first ${keys[0].sk} of ${keys[0].customerId})`,
      );
    }
    return keys.map((k) => found.get(`${customerPk(k.customerId)}|${k.sk}`) ?? null);
  }

  async commitMany(requests: CommitRequest[]): Promise<CommitOutcome[]> {
    if (requests.length === 0) return [];
    if (requests.length > MAX_WINDOWS_PER_COMMIT) {
      throw new RangeError(
        `commitMany: ${requests.length} windows, one transaction takes at most ${MAX_WINDOWS_PER_COMMIT}`,
      );
    }
    const now = Date.now();
    const what = `merge of ${requests.length} windows (first ${requests[0].sk} of ${requests[0].customerId})`;
    try {
      // marker, window, marker, window, ...: CancellationReasons come back in this order
      await this.#doc.send(
        new TransactWriteCommand({ TransactItems: requests.flatMap((r) => this.#mergeActions(r, now)) }),
      );
      return requests.map(() => 'committed');
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw asRetryable(error, what);
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      const outcomes = requests.map((r, i) =>
        outcomeOf(codes[2 * i] ?? 'None', codes[2 * i + 1] ?? 'None', r),
      );
      // a cancellation always names a cause; if none is ours to act on, treat it as a transient conflict
      if (outcomes.every((o) => o === 'cancelled')) {
        throw new RetryableStoreError(
          `${what}: transaction cancelled without a reason [${codes.join(', ')}]`,
        );
      }
      return outcomes;
    }
  }

  /** the marker Put (first time only) and the versioned window Update of one window's merge */
  #mergeActions(request: CommitRequest, now: number) {
    const pk = customerPk(request.customerId);
    const w = request.next.window;
    const fresh = request.expectedVersion === 0;
    return [
      {
        Put: {
          TableName: this.#table,
          Item: {
            pk,
            sk: markerSk(request.applyId, request.sk),
            appliedAt: isoUtc(now),
            expiresAt: Math.floor(now / 1000) + MARKER_TTL_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: { pk, sk: request.sk },
          UpdateExpression:
            'SET #w = :w, #tc = :tc, #v = :next, #attempts = :attempts, #hourMs = :hourMs, #trunk = :trunk, #updatedAt = :now',
          ConditionExpression: fresh ? 'attribute_not_exists(pk)' : '#v = :expected',
          ExpressionAttributeNames: {
            '#w': 'w',
            '#tc': 'tc',
            '#v': 'v',
            '#attempts': 'attempts',
            '#hourMs': 'hourMs',
            '#trunk': 'trunkId',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':w': JSON.stringify(windowToJson(w)),
            ':tc': request.next.trunkCalls,
            ':next': request.expectedVersion + 1,
            ':attempts': w.attempts,
            ':hourMs': w.hourMs,
            ':trunk': w.trunkId,
            ':now': isoUtc(now),
            ...(fresh ? {} : { ':expected': request.expectedVersion }),
          },
        },
      },
    ];
  }

  async customerHours(customerId: string, fromMs: number, toMs: number): Promise<StoredWindow[]> {
    try {
      const items = await queryAll(this.#doc, {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': customerPk(customerId),
          ':from': `H#${isoUtc(fromMs)}`,
          ':to': `H#${isoUtc(toMs)}`,
        },
        ConsistentRead: true,
      });
      return items.map(toStored);
    } catch (error) {
      throw asRetryable(error, `history of ${customerId}`);
    }
  }

  async claimSeverity(
    customerId: string,
    sk: string,
    rank: number,
    claimant: string,
    untilMs: number,
    nowMs: number,
  ): Promise<ClaimOutcome> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: customerPk(customerId), sk },
          UpdateExpression: 'SET claimRank = :r, claimUntil = :until, claimBy = :me',
          // an hour's claim sits on its stored window; a day's item holds its claim alone, made by the first
          ConditionExpression:
            `${isDaySk(sk) ? '' : 'attribute_exists(pk) AND '}(attribute_not_exists(sev) OR sev < :r) AND ` +
            '(attribute_not_exists(claimUntil) OR claimUntil < :now OR claimBy = :me OR claimRank < :r)',
          ExpressionAttributeValues: { ':r': rank, ':until': untilMs, ':me': claimant, ':now': nowMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw asRetryable(error, `severity of ${sk}`);
      const old = (error as ConditionalCheckFailedException).Item;
      if (!old) throw new Error(`no window ${sk} of ${customerId} to claim a severity for`);
      return Number(old.sev?.N ?? 0) >= rank ? 'published' : 'busy';
    }
  }

  async confirmSeverity(customerId: string, sk: string, rank: number, claimant: string): Promise<void> {
    const Key = { pk: customerPk(customerId), sk };
    const mine = await this.#conditional({
      Key,
      UpdateExpression: 'SET sev = :r, sevAt = :at REMOVE claimRank, claimUntil, claimBy',
      ConditionExpression: '(attribute_not_exists(sev) OR sev < :r) AND claimBy = :me',
      ExpressionAttributeValues: { ':r': rank, ':me': claimant, ':at': isoUtc(Date.now()) },
    });
    if (mine) return;
    // a higher claim took over meanwhile: still record what we published, leave its claim alone
    await this.#conditional({
      Key,
      UpdateExpression: 'SET sev = :r, sevAt = :at',
      ConditionExpression: 'attribute_not_exists(sev) OR sev < :r',
      ExpressionAttributeValues: { ':r': rank, ':at': isoUtc(Date.now()) },
    });
  }

  async releaseSeverity(customerId: string, sk: string, claimant: string): Promise<void> {
    await this.#conditional({
      Key: { pk: customerPk(customerId), sk },
      UpdateExpression: 'REMOVE claimRank, claimUntil, claimBy',
      ConditionExpression: 'claimBy = :me',
      ExpressionAttributeValues: { ':me': claimant },
    });
  }

  async releaseAllClaims(): Promise<number> {
    let released = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#doc.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'attribute_exists(claimBy)',
          ProjectionExpression: 'pk, sk, claimBy',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const Key = { pk: String(item.pk), sk: String(item.sk) };
        // that claim only: one made since the scan read it stays
        const mine = await this.#conditional({
          Key,
          UpdateExpression: 'REMOVE claimRank, claimUntil, claimBy',
          ConditionExpression: 'claimBy = :by',
          ExpressionAttributeValues: { ':by': item.claimBy },
        });
        if (mine) released++;
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return released;
  }

  async markDaysTouched(days: CustomerDay[], token: string): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + MARKER_TTL_DAYS * 86_400;
    const note = (pk: string, sk: string) => ({ pk, sk, noteBy: token, expiresAt });
    const customers = new Map<string, Record<string, unknown>>();
    for (const d of days) {
      const pk = reviewCustomersPk(d.dayMs, reviewShardOf(d.customerId));
      customers.set(`${pk}|${d.customerId}`, note(pk, d.customerId));
    }
    const dayNotes = [...new Set(days.map((d) => d.dayMs))].map((dayMs) =>
      note(REVIEW_DAYS_PK, reviewDaySk(dayMs)),
    );
    // the customers first: a day noted is a day whose customers are noted
    await this.#putAll([...customers.values()], 'day review notes of customers');
    await this.#putAll(dayNotes, 'day review notes of days');
  }

  async touchedDays(): Promise<Array<{ dayMs: number; token: string }>> {
    const items = await this.#partition(REVIEW_DAYS_PK, 'day review notes');
    return items.map((i) => ({ dayMs: Date.parse(String(i.sk)), token: String(i.noteBy) }));
  }

  async touchedCustomers(dayMs: number): Promise<Array<{ customerId: string; token: string }>> {
    const out: Array<{ customerId: string; token: string }> = [];
    for (let shard = 0; shard < REVIEW_SHARDS; shard++) {
      const items = await this.#partition(reviewCustomersPk(dayMs, shard), 'day review notes');
      for (const i of items) out.push({ customerId: String(i.sk), token: String(i.noteBy) });
    }
    return out;
  }

  async clearTouched(dayMs: number, customerId: string | null, token: string): Promise<boolean> {
    const Key =
      customerId === null
        ? { pk: REVIEW_DAYS_PK, sk: reviewDaySk(dayMs) }
        : { pk: reviewCustomersPk(dayMs, reviewShardOf(customerId)), sk: customerId };
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key,
          ConditionExpression: 'noteBy = :t',
          ExpressionAttributeValues: { ':t': token },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw asRetryable(error, `day review note ${Key.pk} ${Key.sk}`);
    }
  }

  /** Every item of one partition, strongly consistent. */
  async #partition(pk: string, what: string): Promise<Array<Record<string, unknown>>> {
    try {
      return await queryAll(this.#doc, {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      });
    } catch (error) {
      throw asRetryable(error, what);
    }
  }

  /** Puts items 25 to a BatchWriteItem, retrying the parts DynamoDB leaves unprocessed. */
  async #putAll(items: Array<Record<string, unknown>>, what: string): Promise<void> {
    for (let at = 0; at < items.length; at += 25) {
      const todo = items.slice(at, at + 25).map((Item) => ({ PutRequest: { Item } }));
      try {
        await untilProcessed(todo, what, async (left) => {
          const out = await this.#doc.send(new BatchWriteCommand({ RequestItems: { [this.#table]: left } }));
          return (out.UnprocessedItems?.[this.#table] ?? []) as typeof todo;
        });
      } catch (error) {
        throw asRetryable(error, what);
      }
    }
  }

  /** an UpdateItem whose failed condition is an answer (false), not an error */
  async #conditional(input: {
    Key: Record<string, string>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<boolean> {
    try {
      await this.#doc.send(new UpdateCommand({ TableName: this.#table, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw asRetryable(error, `severity of ${input.Key.sk}`);
    }
  }
}
