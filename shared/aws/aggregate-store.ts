import { type ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isoUtc } from '../cdr/time.ts';
import { type WindowJson, windowFromJson, windowToJson } from '../detect/window.ts';
import { customerPk, markerSk } from '../ingest/keys.ts';
import { STORE_EXACT_LIMIT } from '../ingest/part-collector.ts';
import {
  type AggregateStore,
  type ClaimOutcome,
  type CommitOutcome,
  type CommitRequest,
  RetryableStoreError,
  type StoredWindow,
} from '../ingest/ports.ts';

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

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

/** Throttling and transient conflicts become RetryableStoreError; everything else is left alone. */
export function asRetryable(error: unknown, what: string): unknown {
  if (RETRYABLE.has(errorName(error))) return new RetryableStoreError(`${what}: ${errorName(error)}`);
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

  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const pk = customerPk(request.customerId);
    const now = Date.now();
    const w = request.next.window;
    const fresh = request.expectedVersion === 0;
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
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
          ],
        }),
      );
      return 'committed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw asRetryable(error, `merge ${request.sk}`);
      const [marker, window] = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      if (marker === 'ConditionalCheckFailed') return 'already-applied';
      if (window === 'ConditionalCheckFailed') return 'version-conflict';
      if (RETRYABLE_REASONS.has(marker) || RETRYABLE_REASONS.has(window)) {
        throw new RetryableStoreError(`merge ${request.sk}: transaction cancelled (${marker}, ${window})`);
      }
      throw error;
    }
  }

  async customerHours(customerId: string, fromMs: number, toMs: number): Promise<StoredWindow[]> {
    const out: StoredWindow[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': customerPk(customerId),
              ':from': `H#${isoUtc(fromMs)}`,
              ':to': `H#${isoUtc(toMs)}`,
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) out.push(toStored(item));
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw asRetryable(error, `history of ${customerId}`);
    }
    return out;
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
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(sev) OR sev < :r) AND ' +
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
