import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { DynamoAggregateStore } from '../../shared/aws/aggregate-store.ts';
import { DynamoWriteCounter, documentClientOf } from '../../shared/aws/clients.ts';
import { DynamoManifestStore } from '../../shared/aws/manifest-store.ts';
import type { IngestJob } from '../../shared/ingest/messages.ts';
import type { IngestPorts } from '../../shared/ingest/ports.ts';
import { type BatchOutcome, processBatch } from '../../shared/ingest/process-batch.ts';
import { createPkSkTable } from '../helpers/dynamodb-tables.ts';
import { memoryIngestPorts } from '../helpers/ingest-ports.ts';
import { cdrBatch } from '../unit/ingest-cdr-fixtures.ts';

/**
 * DynamoDB Local for the ingest integration tests (the local stack's own starter, data in a fresh
 * temporary folder), with fresh tables per scenario, a write counter, and a fault injector that
 * fails chosen calls before the SDK's own retries can hide them.
 */
export interface DynamoHarness {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  writes: DynamoWriteCounter;
  /** every request the client sent, by command name (reads too), for request-count assertions */
  commands: CommandCounter;
  faults: FaultInjector;
  freshTables(): Promise<{ aggregates: string; manifest: string }>;
  scan(table: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export class CommandCounter {
  readonly counts = new Map<string, number>();

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? '').replace(/Command$/, '');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'ingestTestCommandCounter' },
    );
  }

  /** counts since `before` (a copy taken with snapshot()), zero counts left out */
  since(before: Map<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, n] of this.counts)
      if (n > (before.get(name) ?? 0)) out[name] = n - (before.get(name) ?? 0);
    return out;
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
}

export type Fault = (commandName: string, input: Record<string, unknown>) => Error | null;

export class FaultInjector {
  fault: Fault | null = null;
  injected = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const error = this.fault?.(context.commandName ?? '', args.input as Record<string, unknown>) ?? null;
        if (error) {
          this.injected++;
          throw error;
        }
        return next(args);
      },
      { step: 'initialize', name: 'ingestTestFaults' },
    );
  }
}

export function throttling(): Error {
  const e = new Error('Rate of requests exceeds the allowed throughput (injected)');
  e.name = 'ThrottlingException';
  return e;
}

export function transactionConflict(): Error {
  return new TransactionCanceledException({
    message: 'Transaction cancelled: TransactionConflict (injected)',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });
}

let tableSeq = 0;

export async function startDynamoHarness(): Promise<DynamoHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'traceguard-ingest-'));
  const db = await startDynamoDb({ dataDir });
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const writes = new DynamoWriteCounter();
  writes.attach(client);
  const commands = new CommandCounter();
  commands.attach(client);
  const faults = new FaultInjector();
  faults.attach(client);
  const create = (name: string) => createPkSkTable(client, name);
  const doc = documentClientOf(client);
  return {
    client,
    doc,
    writes,
    commands,
    faults,
    async freshTables() {
      const n = ++tableSeq;
      const tables = { aggregates: `Aggregates${n}`, manifest: `Manifest${n}` };
      await Promise.all([create(tables.aggregates), create(tables.manifest)]);
      return tables;
    },
    async scan(table) {
      const items: Array<Record<string, unknown>> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      client.destroy();
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const BUCKET = 'cdr-bucket';

/** Ports over DynamoDB Local (aggregates, manifest) in fresh tables; S3, SNS and SQS stay in memory. */
export async function dynamoPorts(h: DynamoHarness) {
  const tables = await h.freshTables();
  const memory = memoryIngestPorts();
  return {
    ...memory,
    tables,
    aggregates: new DynamoAggregateStore(h.doc, tables.aggregates),
    // batches begin at the test's clock, as the day review reads them
    manifest: new DynamoManifestStore(h.doc, tables.manifest, () => memory.clock.now()),
  } satisfies IngestPorts & { tables: unknown };
}

export type DynamoPorts = Awaited<ReturnType<typeof dynamoPorts>>;

/** The ingest job for an object of BUCKET, from its first row. */
export function job(key: string, body: string | Buffer): IngestJob {
  return {
    bucket: BUCKET,
    key,
    versionId: null,
    // as S3 gives it for a single-part upload: the MD5 of the bytes
    etag: createHash('md5').update(body).digest('hex'),
    size: Buffer.byteLength(body),
    part: 0,
    skipRows: 0,
  };
}

/** Puts the object into the memory source and processes it as one delivery. */
export async function run(p: DynamoPorts, key: string, body: string | Buffer): Promise<BatchOutcome> {
  p.source.put(BUCKET, key, body);
  return processBatch(job(key, body), p);
}

/**
 * The write-growth scenario (test "DynamoDB writes grow with windows, not rows", and the bench's
 * --ingest): 10 customers x 3 hours, each with a customer-hour and 2 trunk-hour windows, at about
 * 10k and about 100k rows.
 */
export function writeGrowthBatches(): { small: string; large: string; windows: number } {
  const spec = { customers: Array.from({ length: 10 }, (_, i) => `C${i}`), hours: 3, robocallers: ['C3'] };
  return {
    small: cdrBatch({ seed: 31, rowsPerWindow: 333, ...spec }),
    large: cdrBatch({ seed: 32, rowsPerWindow: 3334, ...spec }),
    windows: 10 * 3 * 3,
  };
}

export interface WriteMeasurement {
  /** the first part's outcome (the whole batch's when it fits one part) */
  out: BatchOutcome;
  /** parts the object was read in: the first and each continuation it sent */
  parts: number;
  /** rows, windows merged and findings published over all parts */
  rows: number;
  windows: number;
  findings: number;
  /** DynamoDB write requests (BatchWriteItem / TransactWriteItems / PutItem / UpdateItem ...) */
  requests: number;
  /** items written by those requests */
  items: number;
  /** every request sent, by command name (reads too) */
  commands: Record<string, number>;
  ms: number;
  /** the ports it ran on, for what comes after ingest (the day review of its days) */
  ports: DynamoPorts;
}

/** Processes one batch on fresh tables and counts the DynamoDB requests it sent. */
export async function measureWrites(
  h: DynamoHarness,
  body: string | Buffer,
  key = 'cdr/s1/x.csv',
): Promise<WriteMeasurement> {
  const p = await dynamoPorts(h);
  const before = { requests: h.writes.requests, items: h.writes.items, commands: h.commands.snapshot() };
  const started = performance.now();
  const out = await run(p, key, body);
  // a part that ended early sent a continuation: process each, as the queue consumer would
  let parts = 1;
  let { rows, windowsMerged: windows, findingsPublished: findings } = out;
  for (let next = p.queue.sent.shift(); next; next = p.queue.sent.shift()) {
    const more = await processBatch(next, p);
    rows += more.rows;
    windows += more.windowsMerged;
    findings += more.findingsPublished;
    parts++;
  }
  return {
    out,
    parts,
    rows,
    windows,
    findings,
    requests: h.writes.requests - before.requests,
    items: h.writes.items - before.items,
    commands: h.commands.since(before.commands),
    ms: Math.round(performance.now() - started),
    ports: p,
  };
}
