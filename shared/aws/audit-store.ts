import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../audit/canonical-json.ts';
import { sha256Hex } from '../audit/chain.ts';
import type { AuditHead, AuditStore } from '../audit/ports.ts';
import { type AuditRecord, auditRecordSchema } from '../audit/record.ts';
import { queryAll } from './dynamo-query.ts';

/** The partition of a stream's records (policies limit writes to some streams by it). */
export const auditPk = (stream: string) => `AUDIT#${stream}`;
const skOf = (seq: number) => String(seq).padStart(12, '0');
/** the sort keys of a stream's records, which leave out its head item */
const RECORD_SKS = { ':first': skOf(0), ':lastPossible': '9'.repeat(12) };
/**
 * The head's sort key: in the stream's own partition, so the policies that let a role append to some
 * streams (by leading key) let it move their heads, and no other.
 */
const HEAD_SK = 'HEAD';
/** Why a transaction was cancelled when it lost to another writer (or its condition held no more). */
const LOST_RACE = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict']);

/**
 * The Audit table (`pk = AUDIT#<stream>`, `sk = <seq zero-padded 12>` for records, `sk = HEAD` for
 * the stream's head: `headSeq`, `headHash`). An append is one transaction of two PutItem: the record
 * with `attribute_not_exists(pk)`, so an existing record is never replaced, and the head with a
 * condition on where it was read. Function roles get no UpdateItem or DeleteItem on this table.
 */
export class DynamoAuditStore implements AuditStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async last(stream: string): Promise<AuditRecord | null> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :lastPossible',
        ExpressionAttributeValues: { ':pk': auditPk(stream), ...RECORD_SKS },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    if (!item) return null;
    const parsed = auditRecordSchema.safeParse(stripKeys(item));
    if (!parsed.success) {
      throw new Error(`Audit table ${this.#table}: head of stream ${stream} (sk ${item.sk}) is malformed`);
    }
    return parsed.data;
  }

  async append(record: AuditRecord, after: AuditHead | null): Promise<boolean> {
    const pk = auditPk(record.stream);
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: { pk, sk: skOf(record.seq), ...record },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: { pk, sk: HEAD_SK, headSeq: record.seq, headHash: record.hash, headAt: record.at },
                ...(after
                  ? {
                      ConditionExpression: 'headSeq = :seq AND headHash = :hash',
                      ExpressionAttributeValues: { ':seq': after.seq, ':hash': after.hash },
                    }
                  : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
          ],
          // the same append sent again (the SDK retrying a write whose answer was lost) succeeds
          // without a second write, instead of failing its condition and being appended once more
          ClientRequestToken: sha256Hex(canonicalJson({ record, after })).slice(0, 36),
        }),
      );
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if ((error as Error).name !== 'TransactionCanceledException' || !reasons) throw error;
      if (reasons.every((r) => LOST_RACE.has(r.Code ?? 'None'))) return false;
      throw error;
    }
  }

  async head(stream: string): Promise<AuditHead | null> {
    // a Query, not GetItem: whoever may read a stream may read its head, with no grant of its own
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND sk = :head',
        ExpressionAttributeValues: { ':pk': auditPk(stream), ':head': HEAD_SK },
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    if (!item) return null;
    if (typeof item.headSeq !== 'number' || typeof item.headHash !== 'string')
      throw new Error(`Audit table ${this.#table}: the head item of stream ${stream} is malformed`);
    return { seq: item.headSeq, hash: item.headHash };
  }

  async list(stream: string, afterSeq?: number): Promise<unknown[]> {
    // the whole stream from sk 0, so an item slipped in before record 1 is read and named too
    const first = afterSeq === undefined ? {} : { ':first': skOf(afterSeq + 1) };
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :lastPossible',
      ExpressionAttributeValues: { ':pk': auditPk(stream), ...RECORD_SKS, ...first },
      ConsistentRead: true,
    });
    return items.map(stripKeys);
  }

  /** every stream name; a table scan, meant for `traceguard audit`, not for functions */
  async streams(): Promise<string[]> {
    return [...(await this.recordCounts()).keys()];
  }

  /**
   * Each stream and how many records it holds, by name; a stream whose head is all that is left
   * holds 0. A table scan of the keys alone, meant for `traceguard audit`, not for functions.
   */
  async recordCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#doc.send(
        new ScanCommand({
          TableName: this.#table,
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const pk = String(item.pk);
        if (!pk.startsWith('AUDIT#')) continue;
        const stream = pk.slice('AUDIT#'.length);
        counts.set(stream, (counts.get(stream) ?? 0) + (item.sk === HEAD_SK ? 0 : 1));
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
