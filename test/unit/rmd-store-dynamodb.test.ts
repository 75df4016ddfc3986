import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoRmdStore } from '../../shared/aws/onboarding-store.ts';
import type { RmdListing } from '../../shared/kyc/rmd.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/**
 * The RMD store against DynamoDB Local: an import replaces the listing in force, so a provider the
 * FCC removed from the database stops passing the RMD check, without any scan or delete.
 */
const db = useDynamoDbLocal('traceguard-rmd-', ['Dossiers', 'Legacy']);

const listing = (n: number, name = `Carrier ${n}`): RmdListing => ({
  rmd_number: `RMD${String(n).padStart(7, '0')}`,
  business_name: name,
  frn: '',
  other_names: [],
});

describe('DynamoRmdStore', () => {
  it('an import replaces the one before: a provider left out of the new export is no longer listed', async () => {
    const store = new DynamoRmdStore(db.doc, 'Dossiers');
    expect(await store.replaceAll([listing(1), listing(2)])).toBe(2);
    expect(await store.get('RMD0000001')).toMatchObject({ business_name: 'Carrier 1' });
    expect(await store.replaceAll([listing(2, 'Carrier Two LLC'), listing(3)])).toBe(2);
    expect(await store.get('RMD0000001')).toBeNull();
    expect(await store.get('RMD0000002')).toMatchObject({ business_name: 'Carrier Two LLC' });
    expect(await store.get('RMD0000003')).toMatchObject({ business_name: 'Carrier 3' });
  });

  it('listings written before imports had ids count until the first import with one', async () => {
    await db.doc.send(
      new PutCommand({
        TableName: 'Legacy',
        Item: { pk: 'RMD#RMD0000009', sk: 'LISTING', listing: listing(9) },
      }),
    );
    const store = new DynamoRmdStore(db.doc, 'Legacy');
    expect(await store.get('RMD0000009')).toMatchObject({ rmd_number: 'RMD0000009' });
    await store.replaceAll([listing(8)]);
    expect(await store.get('RMD0000009')).toBeNull();
    expect(await store.get('RMD0000008')).toMatchObject({ rmd_number: 'RMD0000008' });
  });
});
