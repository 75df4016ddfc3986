import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../audit/ports.ts';
import { type AuditRecord, auditRecordSchema } from '../audit/record.ts';
import { queryAll } from './dynamo-query.ts';

/** The partition of a stream's records (policies limit writes to some streams by it). */
export const auditPk = (stream: string) => `AUDIT#${stream}`;
const skOf = (seq: number) => String(seq).padStart(12, '0');

/**
 * The Audit table (`pk = AUDIT#<stream>`, `sk = <seq zero-padded 12>`). Writes are PutItem with
 * `attribute_not_exists(pk)`, so an existing record is never replaced; function roles get no
 * UpdateItem or DeleteItem on this table.
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
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditPk(stream) },
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

  async putIfAbsent(record: AuditRecord): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: auditPk(record.stream), sk: skOf(record.seq), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async list(stream: string): Promise<unknown[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPk(stream) },
      ConsistentRead: true,
    });
    return items.map(stripKeys);
  }

  /** every stream name; a table scan, meant for `traceguard audit verify`, not for functions */
  async streams(): Promise<string[]> {
    const names = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#doc.send(
        new ScanCommand({
          TableName: this.#table,
          ProjectionExpression: 'pk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const pk = String(item.pk);
        if (pk.startsWith('AUDIT#')) names.add(pk.slice('AUDIT#'.length));
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return [...names].sort();
  }
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
