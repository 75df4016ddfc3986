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

/** Every stored window as comparable JSON (versions and severity claims left out). */
export function aggregatesSnapshot(store: MemoryAggregateStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, item] of [...store.items].sort(([a], [b]) => a.localeCompare(b)))
    out[k] = { window: item.window, trunkCalls: item.trunkCalls };
  return out;
}

/**
 * In-memory ports whose CDR bucket keeps every version of every key (S3 with versioning on):
 * `putVersion` stores one and returns the job its S3 event makes.
 */
export function versionedIngestPorts() {
  const p = memoryIngestPorts();
  const versions = new Map<string, Buffer>();
  p.source.open = async (o) => {
    const body = versions.get(`${o.key}#${o.versionId}`);
    if (!body) return null;
    return (async function* () {
      for (let i = 0; i < body.length; i += 4096) yield body.subarray(i, i + 4096);
    })();
  };
  const putVersion = (key: string, versionId: string, body: string | Buffer) => {
    versions.set(`${key}#${versionId}`, Buffer.isBuffer(body) ? body : Buffer.from(body));
    return ingestJob(key, body, { versionId });
  };
  return { p, putVersion };
}
