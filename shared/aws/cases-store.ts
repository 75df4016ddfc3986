import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Severity } from '../cases/events.ts';
import { type CaseRecord, type CaseTrigger, type ReviewStage, severitiesBelow } from '../cases/model.ts';
import type { CaseStore } from '../cases/ports.ts';
import { queryAll } from './dynamo-query.ts';
import { DynamoReviewTokens } from './review-tokens.ts';

/** The fields a refused decision writes (and the only ones of a case a reviewer's policy may write). */
export const REFUSALS = 'refusals';
export const UPDATED_AT = 'updatedAt';
/** The key attributes of every item in the table. */
export const CASES_KEY_ATTRIBUTES = ['pk', 'sk'] as const;
export const CASE_PK_PREFIX = 'CASE#';

const caseKey = (caseId: string) => ({ pk: `${CASE_PK_PREFIX}${caseId}`, sk: 'CASE' });
export const openKey = (customerId: string) => ({ pk: `CUSTCASE#${customerId}`, sk: 'OPEN' });

/**
 * The Cases table: case item `CASE#<id>/CASE` (GSI byCustomer on customerId + openedAt), the
 * customer's open-case marker `CUSTCASE#<customer>/OPEN`. Review task tokens `CASE#<id>/TOKEN#<stage>`
 * are in `tokensTable` (the ReviewTokens table, which no reviewer reads) where given.
 */
export class DynamoCaseStore implements CaseStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #tokens: DynamoReviewTokens;

  constructor(doc: DynamoDBDocumentClient, table: string, tokensTable?: string) {
    this.#doc = doc;
    this.#table = table;
    this.#tokens = new DynamoReviewTokens(doc, tokensTable ?? table, table);
  }

  async open(record: CaseRecord): Promise<{ opened: true } | { opened: false; openCaseId: string }> {
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: {
                  ...caseKey(record.caseId),
                  ...record,
                  triggerKeys: record.triggers.map((t) => t.key),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: { ...openKey(record.customerId), caseId: record.caseId, openedAt: record.openedAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { opened: true };
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if ((error as Error).name !== 'TransactionCanceledException' || !reasons) throw error;
      // the case itself exists: this message opened it before (redelivery)
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return { opened: false, openCaseId: record.caseId };
      if (reasons[1]?.Code === 'ConditionalCheckFailed') {
        const marker = await this.#doc.send(
          new GetCommand({ TableName: this.#table, Key: openKey(record.customerId), ConsistentRead: true }),
        );
        if (marker.Item?.caseId) return { opened: false, openCaseId: String(marker.Item.caseId) };
      }
      throw error;
    }
  }

  async get(caseId: string): Promise<CaseRecord | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: caseKey(caseId), ConsistentRead: true }),
    );
    return out.Item ? toCase(out.Item) : null;
  }

  /** writes every field except triggers and severity, which only `open`, `attach` and `raiseSeverity` change */
  async save(record: CaseRecord): Promise<void> {
    const { triggers: _t, severity: _s, caseId, ...fields } = record;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: caseKey(caseId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** only `refusals` and `updatedAt`: the reviewer policy lets a reviewer write no other field */
  async addRefusal(caseId: string, refusal: CaseRecord['refusals'][number]): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: caseKey(caseId),
        UpdateExpression: `SET ${REFUSALS} = list_append(${REFUSALS}, :r), ${UPDATED_AT} = :at`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':r': [refusal], ':at': refusal.at },
      }),
    );
  }

  async attach(caseId: string, trigger: CaseTrigger): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: caseKey(caseId),
          UpdateExpression:
            'SET triggers = list_append(triggers, :t), triggerKeys = list_append(triggerKeys, :k)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(triggerKeys, :key)',
          ExpressionAttributeValues: { ':t': [trigger], ':k': [trigger.key], ':key': trigger.key },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async raiseSeverity(caseId: string, severity: Severity): Promise<boolean> {
    const lower = severitiesBelow(severity);
    if (lower.length === 0) return false;
    const names = lower.map((_, i) => `:s${i}`);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: caseKey(caseId),
          UpdateExpression: 'SET #severity = :to',
          // only upwards: two raises racing each other leave the higher one
          ConditionExpression: `attribute_exists(pk) AND #severity IN (${names.join(', ')})`,
          ExpressionAttributeNames: { '#severity': 'severity' },
          ExpressionAttributeValues: {
            ':to': severity,
            ...Object.fromEntries(lower.map((s, i) => [names[i], s])),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async release(customerId: string, caseId: string): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: openKey(customerId),
          ConditionExpression: 'caseId = :c',
          ExpressionAttributeValues: { ':c': caseId },
        }),
      );
    } catch (error) {
      // already released, or another case holds the marker now: nothing to do
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /** open cases via the markers (one per customer, so a small scan), oldest first */
  async listOpen(): Promise<CaseRecord[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#doc.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'begins_with(pk, :p) AND sk = :open',
          ExpressionAttributeValues: { ':p': 'CUSTCASE#', ':open': 'OPEN' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) ids.push(String(item.caseId));
      start = out.LastEvaluatedKey;
    } while (start);
    const cases: CaseRecord[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const keys = ids.slice(i, i + 100).map(caseKey);
      let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = {
        [this.#table]: { Keys: keys },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.#doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.#table] ?? []) cases.push(toCase(item));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return cases.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  /** through the byCustomer index (the case items carry customerId and openedAt; markers and tokens do not) */
  async listForCustomer(customerId: string): Promise<CaseRecord[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      IndexName: 'byCustomer',
      KeyConditionExpression: 'customerId = :c',
      ExpressionAttributeValues: { ':c': customerId },
      ScanIndexForward: false,
    });
    return items.map(toCase);
  }

  async saveToken(caseId: string, stage: ReviewStage, token: string): Promise<void> {
    await this.#tokens.save(caseKey(caseId).pk, stage, token);
  }

  async getToken(caseId: string, stage: ReviewStage): Promise<string | null> {
    return this.#tokens.get(caseKey(caseId).pk, stage);
  }

  async deleteToken(caseId: string, stage: ReviewStage): Promise<void> {
    await this.#tokens.delete(caseKey(caseId).pk, stage);
  }
}

function toCase(item: Record<string, unknown>): CaseRecord {
  const { pk: _pk, sk: _sk, triggerKeys: _k, ...record } = item;
  return record as unknown as CaseRecord;
}
