import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type RunningDynamoDb, startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { createPkSkTable } from './dynamodb-tables.ts';

export interface DynamoDbLocal {
  /** a document client on it (read once the tests run) */
  readonly doc: DynamoDBDocumentClient;
  readonly endpoint: string;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * DynamoDB Local for one test file: started before its tests, with a table of Traceguard's key shape
 * for each name, and stopped after them, its data folder removed.
 */
export function useDynamoDbLocal(folderPrefix: string, tables: readonly string[]): DynamoDbLocal {
  let dynamo: RunningDynamoDb | undefined;
  let dataDir = '';
  let doc: DynamoDBDocumentClient | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), folderPrefix));
    dynamo = await startDynamoDb({ dataDir });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    for (const name of tables) await createPkSkTable(client, name);
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('DynamoDB Local is read before it started (use it inside a test)');
    return value;
  };
  return {
    get doc() {
      return started(doc);
    },
    get endpoint() {
      return started(dynamo).endpoint;
    },
  };
}
