import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayReviewTotals, reviewDays } from '../shared/ingest/review-days.ts';
import {
  type DynamoHarness,
  measureWrites,
  startDynamoHarness,
  type WriteMeasurement,
  writeGrowthBatches,
} from '../test/integration/ingest-dynamo.ts';

/**
 * The ingest path's DynamoDB cost per batch (`npm run bench -- --ingest`): the same two batches as the
 * integration test "DynamoDB writes grow with windows, not rows" (90 windows, about 10k and 100k rows),
 * each processed once by processBatch on fresh tables in DynamoDB Local (S3, SNS and SQS in memory).
 * Prints one JSON object: per batch, rows, windows, write requests, items written, every request by
 * command name, and the batch's wall time. With a data folder it also processes the carrier-scale batch
 * (bench/ingest-carrier-data.ts: 816,000 rows from 2,000 customers, about 100 MB), reporting the
 * process's resident memory before it (the batch itself, held by the in-memory S3) and at its peak,
 * and then the day review of that batch's days (its 24 hours cross midnight: 4,000 customer-days).
 * DynamoDB Local is stopped on exit, also after an error.
 * Usage: node bench/ingest-child.ts [data-dir]
 */
function figures(m: WriteMeasurement) {
  return {
    rows: m.rows,
    parts: m.parts,
    windows: m.windows,
    findings: m.findings,
    requests: m.requests,
    items: m.items,
    commands: m.commands,
    ms: m.ms,
  };
}

/** The carrier-scale batch, built by its own process the first time (its building is not measured). */
function carrierBatch(dataDir: string): Buffer {
  const file = join(dataDir, 'ingest-carrier-c2000.csv');
  if (!existsSync(file))
    execFileSync(process.execPath, ['bench/ingest-carrier-data.ts', file], { stdio: 'inherit' });
  return readFileSync(file);
}

/**
 * The day review of the carrier batch's days, once over (as the hourly schedule runs it, with the
 * function's default parallelism): every customer's day read back from DynamoDB Local, scored whole
 * and its note cleared. Its requests, items written and wall time.
 */
async function reviewCarrierDay(h: DynamoHarness, ingested: WriteMeasurement) {
  const before = { requests: h.writes.requests, items: h.writes.items, commands: h.commands.snapshot() };
  const started = performance.now();
  const report = await reviewDays({
    store: ingested.ports.aggregates,
    manifest: ingested.ports.manifest,
    events: ingested.ports.events,
    reference: ingested.ports.reference,
    clock: { now: Date.now, remainingMs: () => Number.POSITIVE_INFINITY },
    graceMs: 0,
    holdMs: 0,
    parallel: 16,
    marginMs: 0,
  });
  return {
    days: report.reviewed.length,
    ...dayReviewTotals(report),
    writeRequests: h.writes.requests - before.requests,
    items: h.writes.items - before.items,
    commands: h.commands.since(before.commands),
    ms: Math.round(performance.now() - started),
  };
}

const MB = 1024 * 1024;
const [dataDir] = process.argv.slice(2);
let h: DynamoHarness | undefined;
try {
  const { small, large } = writeGrowthBatches();
  h = await startDynamoHarness();
  // one throwaway batch first: table creation, SDK and JIT warm-up are not the measured batches' cost
  await measureWrites(h, small, 'cdr/warm-up.csv');
  const result: Record<string, unknown> = {
    small: figures(await measureWrites(h, small)),
    large: figures(await measureWrites(h, large)),
  };
  if (dataDir) {
    const body = carrierBatch(dataDir);
    const rssBeforeMb = Math.round(process.memoryUsage.rss() / MB);
    // resident memory sampled while the batch is read (the reads are asynchronous, so the timer runs)
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    const m = await measureWrites(h, body, 'cdr/carrier/day.csv');
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    result.carrier = {
      ...figures(m),
      customers: 2000,
      bytes: body.length,
      rssBeforeMb,
      peakRssMb: Math.round(peak / MB),
    };
    result.carrierDayReview = await reviewCarrierDay(h, m);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(
    `ingest-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await h?.stop();
}
