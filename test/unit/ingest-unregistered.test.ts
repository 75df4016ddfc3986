import { describe, expect, it } from 'vitest';
import { parseCustomers } from '../../shared/detect/customers.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { cdrBatch } from './ingest-cdr-fixtures.ts';

const REGISTRY = parseCustomers(
  'customer_id,name,onboarded_at,vetting,traffic_profile\nKNOWN,Known LLC,2024-01-01,standard,conversational\n',
  'customers.csv',
);

/** One ingested batch with 40 calls an hour from each customer over two hours, KNOWN in the registry. */
async function ingest(customers: string[]) {
  const p = memoryIngestPorts();
  for (const [id, c] of REGISTRY) p.reference.registry.set(id, c);
  const key = 'cdr/sbc-1/batch.csv';
  const body = cdrBatch({ seed: 3, rowsPerWindow: 40, customers, hours: 2 });
  p.source.put(TEST_BUCKET, key, body);
  const outcome = await processBatch(ingestJob(key, body), p);
  return { p, outcome };
}

describe('calls from customer ids the registry does not hold', () => {
  it('are counted in the outcome and named in one warning per part, with what to do', async () => {
    const { p, outcome } = await ingest(['KNOWN', 'known', 'NEWCO']);
    expect(outcome).toMatchObject({ status: 'done', calls: 240, unregistered: 160 });
    const warnings = p.log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toBe(
      `160 call(s) in s3://${TEST_BUCKET}/cdr/sbc-1/batch.csv (switch sbc-1) came from 2 customer id(s) the registry does not hold: known (80 calls; the registry has KNOWN), NEWCO (80 calls). They were judged as new customers; onboard the customer, or correct the id the switch writes (the customer_id column, the accountcode, or the trunk map)`,
    );
    expect(warnings[0].fields).toMatchObject({ unregisteredCalls: 160, customerIds: ['known', 'NEWCO'] });
  });

  it('leave a batch of registered customers without a warning', async () => {
    const { p, outcome } = await ingest(['KNOWN']);
    expect(outcome.unregistered).toBe(0);
    expect(p.log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
