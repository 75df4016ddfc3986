import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { putCustomers } from '../../shared/aws/reference-import.ts';
import { DECLARED_PK, readDeclarations } from '../../shared/aws/reference-store.ts';
import type { Customer } from '../../shared/detect/customers.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/**
 * `customers import` merges: a registry row that leaves out what the customer declared at onboarding
 * (a refresh from a billing export has no such columns) keeps what is stored, where onboarding's own
 * write of a renewal without declarations withdraws them.
 */
const db = useDynamoDbLocal('traceguard-import-merge-', ['Customers']);

const onboarded: Customer = {
  customer_id: 'APP-T-001',
  name: 'Lakeside Veterinary Clinic LLC',
  onboarded_at: '2026-12-07T19:11:44.365Z',
  vetting: 'new',
  traffic_profile: 'conversational',
  declared_peak_per_hour: 40,
  declared_ip_ranges: ['198.51.100.20'],
  declared_numbers: ['+16085552230'],
};
const refreshed: Customer = {
  customer_id: 'APP-T-001',
  name: 'Lakeside Veterinary Clinic LLC',
  onboarded_at: '2026-12-07',
  vetting: 'new',
  traffic_profile: 'conversational',
};

/** the item ingest loads a customer's declarations from */
async function declared(id: string) {
  return (
    await db.doc.send(new GetCommand({ TableName: 'Customers', Key: { pk: DECLARED_PK, sk: `CUST#${id}` } }))
  ).Item;
}

async function profile(id: string) {
  return (
    await db.doc.send(new GetCommand({ TableName: 'Customers', Key: { pk: `CUST#${id}`, sk: 'PROFILE' } }))
  ).Item;
}

describe('customers import keeps what a row does not state', () => {
  it('a refresh without the declaration columns keeps the declarations, and ingest still checks them', async () => {
    await putCustomers(db.doc, 'Customers', [onboarded]);
    await putCustomers(db.doc, 'Customers', [refreshed], new Date(), { unstated: 'keep' });
    expect(await profile('APP-T-001')).toMatchObject({
      onboarded_at: '2026-12-07',
      declared_peak_per_hour: 40,
      declared_ip_ranges: ['198.51.100.20'],
      declared_numbers: ['+16085552230'],
    });
    expect(await declared('APP-T-001')).toMatchObject({
      declared_ip_ranges: ['198.51.100.20'],
      declared_numbers: ['+16085552230'],
    });
    expect((await readDeclarations(db.doc, 'Customers')).get('APP-T-001')?.checksSources).toBe(true);
  });

  it('a row that states a new list replaces that list only', async () => {
    await putCustomers(db.doc, 'Customers', [{ ...onboarded, customer_id: 'C2' }]);
    await putCustomers(
      db.doc,
      'Customers',
      [{ ...refreshed, customer_id: 'C2', declared_numbers: ['+16085552299'] }],
      new Date(),
      {
        unstated: 'keep',
      },
    );
    expect(await declared('C2')).toMatchObject({
      declared_ip_ranges: ['198.51.100.20'],
      declared_numbers: ['+16085552299'],
    });
    expect(await profile('C2')).toMatchObject({ declared_peak_per_hour: 40 });
  });

  it("onboarding's write of a profile without declarations withdraws them", async () => {
    await putCustomers(db.doc, 'Customers', [{ ...onboarded, customer_id: 'C3' }]);
    await putCustomers(db.doc, 'Customers', [{ ...refreshed, customer_id: 'C3' }]);
    expect(await profile('C3')).toMatchObject({ declared_peak_per_hour: null, declared_ip_ranges: null });
    expect(await declared('C3')).toMatchObject({ declared_ip_ranges: [], declared_numbers: [] });
    expect((await readDeclarations(db.doc, 'Customers')).get('C3')?.checksSources ?? false).toBe(false);
  });
});
