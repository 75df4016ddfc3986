import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BatchStats, InputFormat } from '../shared/cdr/batch-parser.ts';
import { decodeBatch } from '../shared/cdr/decode.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import type { Aggregator, AggregatorTransfer } from '../shared/detect/aggregator.ts';
import type { ReferenceData } from '../shared/detect/reference.ts';
import type { Progress } from './progress.ts';

/**
 * Analyze on several cores for one big canonical CSV batch: the main thread reads (and gunzips) the
 * file once into shared memory, and each worker thread parses the whole stream but aggregates only
 * its share of customers, so no window is ever split between workers and nothing needs merging but
 * disjoint customer maps. Returns null whenever this cannot apply (other formats, a worker failing for
 * any reason): the caller then reads the file the ordinary way, which also reports any real error.
 */

/** below this a batch is read on one thread: starting workers costs more than it saves */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/** chunks handed out but not yet parsed by both workers: bounds memory whatever the file size */
const MAX_IN_FLIGHT = 4;

export interface WorkerInput {
  source: string;
  format: InputFormat;
  zone: string | null;
  index: number;
  count: number;
  dno: string[];
  inventory: Array<[string, string]>;
}

export type ToWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };

type FromWorker =
  | { type: 'ack' }
  | { type: 'done'; stats: BatchStats; quarantined: QuarantinedRow[]; windows: AggregatorTransfer }
  | { type: 'failed'; message: string };

export function workerCount(fileBytes: number, format: InputFormat): number {
  if (format !== 'auto' && format !== 'canonical') return 1;
  if (fileBytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(2, availableParallelism());
}

class WorkerLink {
  readonly worker: Worker;
  private waiting: Array<(m: FromWorker) => void> = [];
  private inbox: FromWorker[] = [];
  inFlight = 0;

  constructor(input: WorkerInput) {
    this.worker = new Worker(new URL('./analyze-worker.ts', import.meta.url), { workerData: input });
    this.worker.on('message', (m: FromWorker) => this.deliver(m));
    this.worker.on('error', (e) => this.deliver({ type: 'failed', message: e.message }));
  }

  private deliver(m: FromWorker): void {
    const next = this.waiting.shift();
    if (next) next(m);
    else this.inbox.push(m);
  }

  next(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

export async function aggregateFileInParallel(
  path: string,
  ref: ReferenceData,
  aggregator: Aggregator,
  opts: {
    format: InputFormat;
    zone: string | null;
    workers: number;
    onQuarantine?: (source: string, row: QuarantinedRow) => void;
    progress?: Progress;
  },
): Promise<BatchStats | null> {
  const base = {
    source: path,
    format: opts.format,
    zone: opts.zone,
    count: opts.workers,
    dno: [...ref.dno],
    inventory: ref.inventory.entries(),
  };
  const links = Array.from({ length: opts.workers }, (_, index) => new WorkerLink({ ...base, index }));
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  if (opts.progress) stream.on('data', (c) => opts.progress?.advance(c.length));
  try {
    const failure = async (link: WorkerLink): Promise<boolean> => {
      const m = await link.next();
      if (m.type === 'ack') {
        link.inFlight--;
        return false;
      }
      return true;
    };
    for await (const chunk of decodeBatch(stream, path)) {
      // one copy into shared memory; every worker reads the same bytes
      const shared = new Uint8Array(new SharedArrayBuffer(chunk.length));
      shared.set(chunk);
      for (const link of links) {
        while (link.inFlight >= MAX_IN_FLIGHT) if (await failure(link)) return null;
        link.worker.postMessage({ type: 'chunk', bytes: shared } satisfies ToWorker);
        link.inFlight++;
      }
    }
    const results: Array<Extract<FromWorker, { type: 'done' }>> = [];
    for (const link of links) {
      link.worker.postMessage({ type: 'end' } satisfies ToWorker);
      for (;;) {
        const m = await link.next();
        if (m.type === 'ack') continue;
        if (m.type === 'failed') return null;
        results.push(m);
        break;
      }
    }
    for (const r of results) aggregator.importWindows(r.windows);
    // quarantined rows in file order, as a single reader reports them
    const rows = results.flatMap((r) => r.quarantined).sort((a, b) => a.line - b.line);
    for (const q of rows) opts.onQuarantine?.(path, q);
    const stats = results.map((r) => r.stats);
    const firsts = stats.map((s) => s.firstStartMs).filter((v): v is number => v !== null);
    const lasts = stats.map((s) => s.lastStartMs).filter((v): v is number => v !== null);
    return {
      source: path,
      format: stats[0].format,
      rows: stats.reduce((n, s) => n + s.rows, 0),
      calls: stats.reduce((n, s) => n + s.calls, 0),
      quarantined: stats.reduce((n, s) => n + s.quarantined, 0),
      firstStartMs: firsts.length ? Math.min(...firsts) : null,
      lastStartMs: lasts.length ? Math.max(...lasts) : null,
    };
  } catch {
    // a read or decode error: the single-thread read names it properly
    return null;
  } finally {
    stream.destroy();
    await Promise.all(links.map((l) => l.worker.terminate()));
  }
}
