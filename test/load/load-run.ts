import { gzipSync } from 'node:zlib';
import { generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import { type FaultStack, startFaultStack } from '../reliability/fault-stack.ts';

/**
 * Drops `batches` CDR objects at once into the local stack's CDR bucket (the deployed template,
 * real ingest handler, DynamoDB Local, no faults) and measures: wall time from the first PutObject
 * to the last batch done, rows per second, the longest time a batch waited in the queue (first PutObject
 * of the run to the batch's first processing start, and its own PutObject to start), and whether
 * the totals are exact (rows in = aggregated + quarantined, per batch and overall).
 */
export interface LoadOptions {
  repoRoot: string;
  batches: number;
  rowsPerBatch: number;
  customers: number;
  /** objects uploaded at the same time */
  uploadConcurrency?: number;
  timeoutMs?: number;
  /**
   * after the last batch is done, how long to wait for the follow-up work (alerts, escalations) to
   * finish before the figures are read (default 120 s); 0 reads them at once, the stack still busy
   */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LoadFigures {
  batches: number;
  rows: number;
  customers: number;
  uploadSeconds: number;
  /** first PutObject to the last batch done */
  wallSeconds: number;
  rowsPerSecond: number;
  /** longest wait from an object's PutObject to the start of its processing */
  longestQueueAgeSeconds: number;
  /** longest PutObject -> batch done */
  longestLatencySeconds: number;
  aggregatedCalls: number;
  quarantined: number;
  windows: number;
  /** handler invocations, all functions */
  invocations: number;
  problems: string[];
}

function batchBody(i: number, rows: number, customers: number): Buffer {
  // a week of days, so batches share customer-hours (concurrent merges on the same windows)
  const day = `2026-11-${String(21 + (i % 7)).padStart(2, '0')}`;
  const text = [...generateCanonicalRows({ rows, seed: 1000 + i, customers, day })].join('');
  // every other batch gzip-compressed, as switches send both
  return i % 2 === 0 ? gzipSync(text) : Buffer.from(text);
}

export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const log = options.log ?? (() => {});
  const fs: FaultStack = await startFaultStack({ repoRoot: options.repoRoot, proxies: false });
  try {
    const keys = Array.from(
      { length: options.batches },
      (_, i) =>
        `cdr/load-${i % 4}/2026/11/batch-${String(i).padStart(4, '0')}.csv${i % 2 === 0 ? '.gz' : ''}`,
    );
    const putAt = new Map<string, number>();
    const start = Date.now();
    let next = 0;
    const uploader = async () => {
      while (next < keys.length) {
        const i = next++;
        const body = batchBody(i, options.rowsPerBatch, options.customers);
        putAt.set(keys[i], Date.now());
        await fs.put(keys[i], body);
      }
    };
    await Promise.all(Array.from({ length: options.uploadConcurrency ?? 8 }, uploader));
    const uploadSeconds = (Date.now() - start) / 1000;
    log(`uploaded ${keys.length} batches in ${uploadSeconds.toFixed(1)} s`);
    await fs.batchesDone(keys, options.timeoutMs ?? 600_000);
    const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    if (idleTimeoutMs > 0) await fs.stack.waitForIdle({ timeoutMs: idleTimeoutMs });

    const problems: string[] = [];
    const manifest = new Map(
      (await fs.scan(fs.table('ManifestTable')))
        .filter((i) => i.sk === 'BATCH')
        .map((i) => [String(i.key), i]),
    );
    let rows = 0;
    let calls = 0;
    let quarantined = 0;
    let lastDone = 0;
    let longestQueueAge = 0;
    let longestLatency = 0;
    for (const key of keys) {
      const m = manifest.get(key);
      if (m?.status !== 'done') {
        problems.push(`${key}: not done`);
        continue;
      }
      if (m.rows !== options.rowsPerBatch)
        problems.push(`${key}: ${String(m.rows)} rows, ${options.rowsPerBatch} dropped`);
      if (Number(m.calls) + Number(m.quarantined) !== Number(m.rows))
        problems.push(`${key}: calls + quarantined != rows`);
      rows += Number(m.rows);
      calls += Number(m.calls);
      quarantined += Number(m.quarantined);
      const put = putAt.get(key) ?? start;
      const began = Date.parse(String(m.startedAt));
      const done = Date.parse(String(m.finishedAt));
      longestQueueAge = Math.max(longestQueueAge, began - put);
      longestLatency = Math.max(longestLatency, done - put);
      lastDone = Math.max(lastDone, done);
    }
    let aggregated = 0;
    let trunkCalls = 0;
    let windows = 0;
    for (const item of await fs.scan(fs.table('AggregatesTable'))) {
      const sk = String(item.sk);
      if (sk.startsWith('H#')) {
        aggregated += Number(item.attempts);
        windows++;
      } else if (sk.startsWith('T#')) trunkCalls += Number(item.attempts);
    }
    const dropped = options.batches * options.rowsPerBatch;
    if (rows !== dropped) problems.push(`manifest counts ${rows} rows, ${dropped} dropped`);
    if (aggregated !== calls) problems.push(`aggregates hold ${aggregated} calls, manifests ${calls}`);
    if (trunkCalls !== calls) problems.push(`trunk aggregates hold ${trunkCalls} calls, manifests ${calls}`);
    if (aggregated + quarantined !== dropped)
      problems.push(`${aggregated} aggregated + ${quarantined} quarantined != ${dropped} rows dropped`);
    const dlq = await fs.queueDepth(fs.ingestDlqUrl);
    if (dlq > 0) problems.push(`${dlq} batch(es) in the ingest DLQ`);
    const wallSeconds = (lastDone - start) / 1000;
    return {
      batches: options.batches,
      rows: dropped,
      customers: options.customers,
      uploadSeconds,
      wallSeconds,
      rowsPerSecond: Math.round(dropped / wallSeconds),
      longestQueueAgeSeconds: longestQueueAge / 1000,
      longestLatencySeconds: longestLatency / 1000,
      aggregatedCalls: aggregated,
      quarantined,
      windows,
      invocations: fs.stack.lambda.invocations,
      problems,
    };
  } finally {
    await fs.stop();
  }
}
