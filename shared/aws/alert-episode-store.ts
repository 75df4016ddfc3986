import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertEpisode } from '../alerts/episode.ts';
import type { EpisodeStore, OpenCases, StoredEpisode } from '../alerts/ports.ts';
import { openKey } from './cases-store.ts';

const episodeKey = (customerId: string) => ({ pk: `CUSTALERT#${customerId}`, sk: 'EPISODE' });

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error).name === 'ConditionalCheckFailedException'
  );
}

/**
 * Alert episodes in the Cases table, beside the customer's open-case marker: one item per customer
 * (`CUSTALERT#<customer>/EPISODE`) with a version number every write must still find.
 */
export class DynamoEpisodeStore implements EpisodeStore, OpenCases {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async get(customerId: string): Promise<StoredEpisode | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: episodeKey(customerId), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return null;
    return {
      episode: {
        customerId,
        severity: item.severity,
        alertedAtMs: Number(item.alertedAtMs),
        lastKey: String(item.lastKey),
        state: item.state === 'sent' ? 'sent' : 'claimed',
      },
      version: Number(item.version),
    };
  }

  async put(episode: AlertEpisode, expectedVersion: number | null): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...episodeKey(episode.customerId),
            severity: episode.severity,
            alertedAtMs: episode.alertedAtMs,
            alertedAt: new Date(episode.alertedAtMs).toISOString(),
            lastKey: episode.lastKey,
            state: episode.state,
            version: (expectedVersion ?? 0) + 1,
          },
          ...(expectedVersion === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markSent(customerId: string, key: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: episodeKey(customerId),
          UpdateExpression: 'SET #state = :sent',
          ConditionExpression: 'lastKey = :key',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sent': 'sent', ':key': key },
        }),
      );
    } catch (error) {
      // a later event claimed the episode meanwhile: its own alert marks it
      if (!isConditionFailure(error)) throw error;
    }
  }

  async openCaseOf(customerId: string): Promise<{ caseId: string; openedAtMs: number } | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: openKey(customerId), ConsistentRead: true }),
    );
    if (!out.Item?.caseId) return null;
    return { caseId: String(out.Item.caseId), openedAtMs: Date.parse(String(out.Item.openedAt)) };
  }
}
