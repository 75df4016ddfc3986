import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCustomerRegistry } from '../../shared/aws/cases-customers.ts';
import { judgedCustomer } from '../../shared/aws/reference-store.ts';
import { StatusChangedMeanwhile } from '../../shared/cases/status-changed.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';

/** The Customers table's status write made on a status read before (a reinstatement's). */
const db = useDynamoDbLocal('traceguard-cases-customers-', ['Customers']);

describe('DynamoCustomerRegistry.setStatus with the status it expects', () => {
  it('writes while the status is still the one read, and refuses once another write changed it', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    await customers.setStatus('C500', 'suspended', 'case C500-F-1: DNO traffic');
    await customers.setStatus('C500', 'active', 'reinstated by carol: remediation verified', 'suspended');
    expect(await customers.get('C500')).toMatchObject({
      status: 'active',
      statusReason: 'reinstated by carol: remediation verified',
    });
    // a second person who read `suspended` too
    const late = customers.setStatus('C500', 'active', 'reinstated by dave: checked', 'suspended');
    await expect(late).rejects.toThrow(StatusChangedMeanwhile);
    await expect(late).rejects.toThrow(/customer C500 is no longer suspended \(now active\)/);
    expect((await customers.get('C500'))?.statusReason).toBe('reinstated by carol: remediation verified');
    await expect(customers.setStatus('C500', 'warned', 'case C500-F-2: warned', 'suspended')).rejects.toThrow(
      StatusChangedMeanwhile,
    );
    expect((await customers.get('C500'))?.status).toBe('active');
  });

  it('reads a profile without a status as active; a status already set keeps its date and takes the latest reason', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    await customers.setStatus('C501', 'suspended', 'case C501-F-1: DNO traffic', 'active');
    expect((await customers.get('C501'))?.status).toBe('suspended');
    const since = (await customers.get('C501'))?.statusChangedAt;
    await customers.setStatus('C501', 'suspended', 'case C501-F-2: again', 'suspended');
    expect(await customers.get('C501')).toMatchObject({
      status: 'suspended',
      statusReason: 'case C501-F-2: again',
      statusChangedAt: since,
    });
    // a case review confirming a suspension made at once: customers status tells the analyst's reason
    await customers.setStatus('C501', 'suspended', 'case C501-F-3: suspended by alice: 40% DNO caller IDs');
    expect(await customers.get('C501')).toMatchObject({
      statusReason: 'case C501-F-3: suspended by alice: 40% DNO caller IDs',
      statusChangedAt: since,
    });
  });

  it('keeps when the calls first had to stop from a suspension into the termination after it', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    const item = async () =>
      (await db.doc.send(new GetCommand({ TableName: 'Customers', Key: { pk: 'CUST#C502', sk: 'PROFILE' } })))
        .Item;
    await customers.setStatus('C502', 'suspended', 'case C502-F-1: DNO traffic');
    const suspendedAt = (await item())?.statusChangedAt;
    await new Promise((r) => setTimeout(r, 5));
    await customers.setStatus('C502', 'terminated', 'case C502-F-1: terminated by erin');
    expect(await item()).toMatchObject({ status: 'terminated', blockedSince: suspendedAt });
    expect((await item())?.statusChangedAt).not.toBe(suspendedAt);
    // detection reads both: the calls between the two are calls after a suspension
    expect(judgedCustomer('C502', (await item()) ?? {})).toMatchObject({ blocked_since: suspendedAt });
    await customers.setStatus('C502', 'active', 'reinstated');
    expect((await item())?.blockedSince).toBeUndefined();
  });
});
