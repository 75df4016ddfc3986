import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TracebackAnswer } from '../traceback/answer.ts';
import type { AnswerUpdate, FirstAnswer, HistoryEntry, TracebackStore } from '../traceback/ports.ts';
import type { TracebackRecord } from '../traceback/record.ts';
import { queryAll, readTracebackHistory } from './dynamo-query.ts';

const key = (id: string) => ({ pk: `TB#${id}`, sk: 'TB' });
const BY_STATUS = 'byStatus';

function toRecord(item: Record<string, unknown>): TracebackRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  const record = rest as unknown as TracebackRecord;
  return { ...record, alertsSent: Array.isArray(record.alertsSent) ? record.alertsSent : [] };
}

/**
 * The Tracebacks table (docs/wiring.md): `TB#<id>`/`TB` per request, `status` + `deadline` feed the
 * byStatus index the watcher and `traceback list` read, and `CUSTTB#<customer>`/`<traceback_id>`
 * items are the customer's history that scoring and case evidence read.
 */
export class DynamoTracebackStore implements TracebackStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async create(record: TracebackRecord): Promise<{ created: boolean; record: TracebackRecord }> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...key(record.tracebackId), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, record };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.get(record.tracebackId);
      if (!existing) throw new Error(`traceback ${record.tracebackId}: exists but could not be read back`);
      return { created: false, record: existing };
    }
  }

  async get(tracebackId: string): Promise<TracebackRecord | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: key(tracebackId), ConsistentRead: true }),
    );
    return out.Item ? toRecord(out.Item) : null;
  }

  async saveFirstAnswer(tracebackId: string, update: AnswerUpdate): Promise<boolean> {
    const input = answerUpdate(this.#table, tracebackId, update);
    try {
      await this.#doc.send(
        new UpdateCommand({
          ...input,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(answer)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async saveAnswer(tracebackId: string, update: AnswerUpdate): Promise<void> {
    await this.#doc.send(new UpdateCommand(answerUpdate(this.#table, tracebackId, update)));
  }

  async reviseAnswer(
    tracebackId: string,
    expectedAnsweredAt: string,
    update: AnswerUpdate,
    firstAnswer: FirstAnswer,
  ): Promise<boolean> {
    const input = answerUpdate(this.#table, tracebackId, update);
    try {
      await this.#doc.send(
        new UpdateCommand({
          ...input,
          UpdateExpression: `${input.UpdateExpression}, firstAnswer = if_not_exists(firstAnswer, :firstAnswer)`,
          ConditionExpression:
            'attribute_exists(pk) AND answeredAt = :expected AND answer.#status = :notFound',
          ExpressionAttributeValues: {
            ...input.ExpressionAttributeValues,
            ':firstAnswer': firstAnswer,
            ':expected': expectedAnsweredAt,
            ':notFound': 'not_found',
          },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async markEventPublished(tracebackId: string, at: string): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: key(tracebackId),
        UpdateExpression: 'SET eventPublishedAt = if_not_exists(eventPublishedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async listOpen(): Promise<TracebackRecord[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      IndexName: BY_STATUS,
      KeyConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':open': 'open' },
      ScanIndexForward: true,
    });
    return items.map(toRecord);
  }

  async listAnswered(
    deadlineFrom: string,
    answerStatus?: TracebackAnswer['status'],
  ): Promise<TracebackRecord[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      IndexName: BY_STATUS,
      KeyConditionExpression: '#status = :answered AND #deadline >= :from',
      ...(answerStatus ? { FilterExpression: 'answer.#status = :answerStatus' } : {}),
      ExpressionAttributeNames: { '#status': 'status', '#deadline': 'deadline' },
      ExpressionAttributeValues: {
        ':answered': 'answered',
        ':from': deadlineFrom,
        ...(answerStatus ? { ':answerStatus': answerStatus } : {}),
      },
      ScanIndexForward: true,
    });
    return items.map(toRecord);
  }

  async markAlertSent(tracebackId: string, alertKey: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(tracebackId),
          UpdateExpression: 'SET alertsSent = list_append(if_not_exists(alertsSent, :none), :key)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(alertsSent, :alert)',
          ExpressionAttributeValues: { ':none': [], ':key': [alertKey], ':alert': alertKey },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async addHistory(customerId: string, entry: HistoryEntry): Promise<void> {
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `CUSTTB#${customerId}`,
          // the traceback id alone: a second delivery writing another answeredAt replaces, never adds
          sk: entry.tracebackId,
          customerId,
          answeredAt: entry.answeredAt,
          tracebackId: entry.tracebackId,
          ...(entry.call ? { call: entry.call } : {}),
        },
      }),
    );
  }

  async history(customerId: string): Promise<HistoryEntry[]> {
    return readTracebackHistory(this.#doc, this.#table, customerId, true);
  }
}

/** The update that stores an answer: `status` answered, and each field the update gives. */
function answerUpdate(table: string, tracebackId: string, update: AnswerUpdate) {
  const values: Record<string, unknown> = { ':answered': 'answered' };
  const sets = ['#status = :answered'];
  for (const [field, value] of Object.entries(update)) {
    if (value === undefined) continue;
    sets.push(`${field} = :${field}`);
    values[`:${field}`] = value;
  }
  return {
    TableName: table,
    Key: key(tracebackId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}
