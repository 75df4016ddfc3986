import { describe, expect, it } from 'vitest';
import { TIMEOUT_RECORD_MARGIN_MS } from '../../shared/ingest/delivery-deadline.ts';
import { deliveryOf, isDeliveryFailure } from '../../shared/ingest/delivery-failure-reason.ts';
import { batchIdOf } from '../../shared/ingest/keys.ts';
import { ManualClock } from '../../shared/ingest/memory-io.ts';
import { processMessage } from '../../shared/ingest/process-message.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { cdrBatch } from './ingest-cdr-fixtures.ts';

const KEY = 'cdr/sbc1/2026/11/27/store-outage.csv';
const BODY = cdrBatch({ seed: 3, rowsPerWindow: 50, customers: ['C1'], hours: 1 });

/** The S3 event of `key` as SQS delivers it, and the batch id ingest gives it. */
function eventOf(body: string | Buffer, key = KEY) {
  const job = ingestJob(key, body);
  const object = { key, size: job.size, eTag: job.etag, versionId: job.versionId };
  const record = { eventName: 'ObjectCreated:Put', s3: { bucket: { name: TEST_BUCKET }, object } };
  return { message: JSON.stringify({ Records: [record] }), batchId: batchIdOf(job) };
}

/** Ports whose aggregate store fails every write, as DynamoDB does when the function may not write to it. */
function portsWithFailingStore() {
  const p = memoryIngestPorts();
  p.source.put(TEST_BUCKET, KEY, BODY);
  const commit = p.aggregates.commitMany.bind(p.aggregates);
  let failing = true;
  p.aggregates.commitMany = async (requests) => {
    if (failing)
      throw new Error('AccessDeniedException: not authorized to perform dynamodb:UpdateItem (injected)');
    return commit(requests);
  };
  return { p, heal: () => (failing = false) };
}

describe('a failed delivery is recorded in the batch manifest', () => {
  it('names the delivery, the error and what comes next, then the last one names the dead-letter queue', async () => {
    const { p } = portsWithFailingStore();
    const { message, batchId } = eventOf(BODY);
    await expect(processMessage(message, p, undefined, deliveryOf('2'))).rejects.toThrow(/AccessDenied/);
    const second = await p.manifest.get(batchId);
    expect(second?.status).toBe('processing');
    expect(second?.failure).toMatch(
      /^delivery 2 of 5 failed with: AccessDeniedException: .*; SQS delivers it again/,
    );
    expect(isDeliveryFailure(second?.failure ?? '')).toBe(true);

    await expect(processMessage(message, p, undefined, deliveryOf('5'))).rejects.toThrow(/AccessDenied/);
    const last = await p.manifest.get(batchId);
    expect(last?.failure).toMatch(
      /^all 5 deliveries of its message failed, the last with: AccessDeniedException: .*dead-letter queue.*dlq redrive IngestQueue/,
    );
  });

  it('is cleared by the delivery that reads the batch after the fix', async () => {
    const { p, heal } = portsWithFailingStore();
    const { message, batchId } = eventOf(BODY);
    await expect(processMessage(message, p, undefined, deliveryOf('1'))).rejects.toThrow(/AccessDenied/);
    heal();
    const [out] = await processMessage(message, p, undefined, deliveryOf('2'));
    expect(out.status).toBe('done');
    const done = await p.manifest.get(batchId);
    expect(done).toMatchObject({ status: 'done', failure: null });
  });

  it('keeps an unreadable batch its own reason, and records nothing without a delivery count', async () => {
    const p = memoryIngestPorts();
    const unreadable = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]);
    const key = 'cdr/sbc1/cut.csv.gz';
    p.source.put(TEST_BUCKET, key, unreadable);
    const { message, batchId: unreadableId } = eventOf(unreadable, key);
    await expect(processMessage(message, p, undefined, deliveryOf('5'))).rejects.toThrow();
    const failure = (await p.manifest.get(unreadableId))?.failure ?? '';
    expect(failure).not.toBe('');
    expect(isDeliveryFailure(failure)).toBe(false);

    const { p: plain } = portsWithFailingStore();
    const { message: m, batchId } = eventOf(BODY);
    await expect(processMessage(m, plain)).rejects.toThrow(/AccessDenied/);
    expect((await plain.manifest.get(batchId))?.failure).toBeNull();
  });

  it('records a delivery that runs out of time as timed out, before the runtime ends it', async () => {
    const p = memoryIngestPorts();
    p.source.put(TEST_BUCKET, KEY, BODY);
    // every call aggregated; the merge then hangs (a throttled table) until the function's timeout
    p.aggregates.commitMany = () => new Promise(() => {});
    p.clock = new ManualClock(Date.UTC(2026, 10, 27, 18), TIMEOUT_RECORD_MARGIN_MS + 2_200);
    const { message, batchId } = eventOf(BODY);
    void processMessage(message, p, undefined, deliveryOf('2'));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const failure = (await p.manifest.get(batchId))?.failure ?? '';
    expect(failure).toMatch(
      /^delivery 2 of 5 timed out after 4 s \(the function's timeout\); SQS delivers it again after the queue's visibility timeout/,
    );
    expect(isDeliveryFailure(failure)).toBe(true);
  });

  it('reads a missing or odd receive count as the first delivery', () => {
    expect(deliveryOf(undefined)).toEqual({ receive: 1, maxReceives: 5 });
    expect(deliveryOf('x')).toEqual({ receive: 1, maxReceives: 5 });
    expect(deliveryOf('3')).toEqual({ receive: 3, maxReceives: 5 });
  });
});
