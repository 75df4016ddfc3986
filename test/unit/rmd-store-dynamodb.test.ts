import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynamoDb, startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { DynamoRmdStore } from '../../shared/aws/onboarding-store.ts';
import type { RmdListing } from '../../shared/kyc/rmd.ts';
import { createPkSkTable } from '../helpers/dynamodb-tables.ts';

/**
 * The RMD store against DynamoDB Local: an import replaces the listing in force, so a provider the
 * FCC removed from the database stops passing the RMD check, without any scan or delete.
 */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let dynamo: RunningDynamoDb;
let dataDir: string;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'traceguard-rmd-'));
  dynamo = await startDynamoDb({ dataDir });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await createPkSkTable(client, 'Dossiers');
  await createPkSkTable(client, 'Legacy');
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const listing = (n: number, name = `Carrier ${n}`): RmdListing => ({
  rmd_number: `RMD${String(n).padStart(7, '0')}`,
  business_name: name,
  frn: '',
  other_names: [],
});

describe('DynamoRmdStore', () => {
  it('an import replaces the one before: a provider left out of the new export is no longer listed', async () => {
    const store = new DynamoRmdStore(doc, 'Dossiers');
    expect(await store.replaceAll([listing(1), listing(2)])).toBe(2);
    expect(await store.get('RMD0000001')).toMatchObject({ business_name: 'Carrier 1' });
    expect(await store.replaceAll([listing(2, 'Carrier Two LLC'), listing(3)])).toBe(2);
    expect(await store.get('RMD0000001')).toBeNull();
    expect(await store.get('RMD0000002')).toMatchObject({ business_name: 'Carrier Two LLC' });
    expect(await store.get('RMD0000003')).toMatchObject({ business_name: 'Carrier 3' });
  });

  it('listings written before imports had ids count until the first import with one', async () => {
    await doc.send(
      new PutCommand({
        TableName: 'Legacy',
        Item: { pk: 'RMD#RMD0000009', sk: 'LISTING', listing: listing(9) },
      }),
    );
    const store = new DynamoRmdStore(doc, 'Legacy');
    expect(await store.get('RMD0000009')).toMatchObject({ rmd_number: 'RMD0000009' });
    await store.replaceAll([listing(8)]);
    expect(await store.get('RMD0000009')).toBeNull();
    expect(await store.get('RMD0000008')).toMatchObject({ rmd_number: 'RMD0000008' });
  });
});
