import { createHash } from 'node:crypto';
import { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import {
  ManualClock,
  MemoryBatchSource,
  MemoryEventPublisher,
  MemoryLog,
  MemoryReferenceSource,
  MemoryWorkQueue,
} from '../../shared/ingest/memory-io.ts';
import { MemoryManifestStore } from '../../shared/ingest/memory-manifest-store.ts';
import type { IngestJob } from '../../shared/ingest/messages.ts';
import type { IngestPorts } from '../../shared/ingest/ports.ts';

export const TEST_BUCKET = 'cdr-bucket';

/** Every ingest port as a real in-memory implementation, fresh per test. */
export function memoryIngestPorts() {
  const clock = new ManualClock();
  return {
    source: new MemoryBatchSource(),
    aggregates: new MemoryAggregateStore(),
    // a batch begins at the ingest clock's time, as the table's item records the function's
    manifest: new MemoryManifestStore(() => clock.now()),
    reference: new MemoryReferenceSource(),
    events: new MemoryEventPublisher(),
    queue: new MemoryWorkQueue(),
    clock,
    log: new MemoryLog(),
  } satisfies IngestPorts;
}

/** The first part of a batch object as the S3 event names it. */
export function ingestJob(key: string, body: string | Buffer, extra: Partial<IngestJob> = {}): IngestJob {
  return {
    bucket: TEST_BUCKET,
    key,
    versionId: 'v1',
    // as S3 gives it for a single-part upload: the MD5 of the bytes
    etag: createHash('md5').update(body).digest('hex'),
    size: Buffer.byteLength(body),
    part: 0,
    skipRows: 0,
    ...extra,
  };
}
