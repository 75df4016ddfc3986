import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { BatchStats, InputFormat } from '../shared/cdr/batch-parser.ts';
import { readBatch } from '../shared/cdr/read-batch.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { HOUR_MS, ZoneClock } from '../shared/cdr/time.ts';
import { Aggregator, type AggregatorTransfer } from '../shared/detect/aggregator.ts';
import type { ReferenceData } from '../shared/detect/reference.ts';
import type { ByteRange } from './analyze-range.ts';
import type { Progress } from './progress.ts';

/**
 * Analyze on several cores for one big canonical CSV batch: each worker thread reads its own byte
 * range of the file (analyze-range.ts; gzip is decoded from the start by each) and aggregates every
 * record in it, so nothing is parsed twice; the main thread merges the windows in input order.
 * Workers freeze the called-number and pair sets of hours the input has left two hours behind, so
 * memory follows the open hours, not the file. A window that still got a call after freezing (input
 * out of time order), or that two ranges share and one froze, is rebuilt exactly by a second pass
 * over the file that folds only those windows. Returns null whenever ranges cannot apply (not
 * canonical CSV, a boundary inside a quoted field, a worker failing): the caller then reads the file
 * the ordinary way, which also reports any real error.
 */

/** a window's sets are frozen once the input is this many hours past it */
const FREEZE_BEHIND_HOURS = 2;
/**
 * Inflating costs about a sixth of parsing per decoded byte (measured on the bench set): used to give
 * later gzip ranges, whose workers also inflate everything before them, a smaller share.
 */
const INFLATE_PER_PARSE = 0.17;

export interface WorkerInput {
  source: string;
  format: InputFormat;
  zone: string | null;
  range: ByteRange;
  freezeBehindHours: number;
  dno: string[];
  inventory: Array<[string, string]>;
}

export type FromWorker =
  | { type: 'progress'; bytes: number }
  | {
      type: 'done';
      stats: BatchStats;
      quarantined: QuarantinedRow[];
      windows: AggregatorTransfer;
      linesRead: number;
      pendingBytes: number;
      progressBytes: number;
    }
  | { type: 'failed'; message: string };

type Done = Extract<FromWorker, { type: 'done' }>;

export { PARALLEL_MIN_BYTES, workerCount } from './analyze-prestart.ts';

/** Whether the file is gzip, and its decoded size (exact for plain files, the gzip trailer's hint otherwise). */
async function sizeOf(path: string, fileBytes: number): Promise<{ gzip: boolean; decoded: number }> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return { gzip: false, decoded: fileBytes };
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, Math.max(0, fileBytes - 4));
    // ISIZE: decoded size mod 2^32 of the last member; only a hint for where to split
    const isize = tail.readUInt32LE(0);
    return { gzip: true, decoded: isize > fileBytes ? isize : fileBytes * 6 };
  } finally {
    await fh.close();
  }
}

/**
 * Range ends in decoded bytes such that every worker has about the same work: parsing its range,
 * plus for gzip inflating everything up to its end.
 */
export function splitPoints(decoded: number, workers: number, gzip: boolean): number[] {
  const d = gzip ? INFLATE_PER_PARSE : 0;
  const ends = (cost: number) => {
    const out: number[] = [];
    let from = 0;
    for (let k = 0; k < workers; k++) {
      from = (cost + from) / (1 + d);
      out.push(from);
    }
    return out;
  };
  let lo = 0;
  let hi = decoded * (1 + d);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (ends(mid)[workers - 1] < decoded) lo = mid;
    else hi = mid;
  }
  return ends(hi).map((e) => Math.floor(e));
}

function runWorker(
  worker: Worker,
  input: WorkerInput,
  onProgress: (bytes: number) => void,
): Promise<Done | null> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (v: Done | null) => {
      if (settled) return;
      settled = true;
      resolve(v);
      void worker.terminate();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') onProgress(m.bytes);
      else if (m.type === 'done') {
        onProgress(m.progressBytes);
        settle(m);
      } else settle(null);
    });
    worker.on('error', () => settle(null));
    worker.on('exit', () => settle(null));
    worker.ref(); // prestarted workers are unref'd until they have work
    worker.postMessage(input);
  });
}

/** Rebuilds the listed windows exactly with one more single-thread pass that folds only them. */
async function recount(path: string, ref: ReferenceData, aggregator: Aggregator, opts: ParallelOptions) {
  const refs = aggregator.recountNeeded();
  if (refs.length === 0) return;
  const wanted = new Set(refs.map((r) => `${r.customerId}\u0000${r.hourIdx * HOUR_MS}`));
  const again = new Aggregator(ref, { only: (c, hourMs) => wanted.has(`${c}\u0000${hourMs}`) });
  await readBatch(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    { source: path, format: opts.format, zone: opts.zone ? new ZoneClock(opts.zone) : null },
    { call: (r) => again.add(r), packed: (p) => again.addPacked(p), quarantine: () => {} },
  );
  aggregator.replaceWindows(again, refs);
}

interface ParallelOptions {
  format: InputFormat;
  zone: string | null;
  /** started worker threads (analyze-prestart.ts), one per range; all are terminated when done */
  workers: Worker[];
  onQuarantine?: (source: string, row: QuarantinedRow) => void;
  progress?: Progress;
}

export async function aggregateFileInParallel(
  path: string,
  fileBytes: number,
  ref: ReferenceData,
  aggregator: Aggregator,
  opts: ParallelOptions,
): Promise<BatchStats | null> {
  try {
    return await inRanges(path, fileBytes, ref, aggregator, opts);
  } finally {
    await Promise.all(opts.workers.map((w) => w.terminate()));
  }
}

async function inRanges(
  path: string,
  fileBytes: number,
  ref: ReferenceData,
  aggregator: Aggregator,
  opts: ParallelOptions,
): Promise<BatchStats | null> {
  let size: { gzip: boolean; decoded: number };
  try {
    size = await sizeOf(path, fileBytes);
  } catch {
    return null;
  }
  const ends = splitPoints(size.decoded, opts.workers.length, size.gzip);
  const scale = fileBytes / size.decoded;
  let reported = 0;
  const onProgress = (bytes: number) => {
    const step = Math.min(Math.round(bytes * scale), fileBytes - reported);
    reported += step;
    if (step > 0) opts.progress?.advance(step);
  };
  const dno = [...ref.dno];
  const inventory = ref.inventory.entries();
  const results = await Promise.all(
    ends.map((end, k) =>
      runWorker(
        opts.workers[k],
        {
          source: path,
          format: opts.format,
          zone: opts.zone,
          range: {
            path,
            gzip: size.gzip,
            from: k === 0 ? 0 : ends[k - 1],
            to: k === ends.length - 1 ? Number.POSITIVE_INFINITY : end,
          },
          freezeBehindHours: FREEZE_BEHIND_HOURS,
          dno,
          inventory,
        },
        onProgress,
      ),
    ),
  );
  const done = results.filter((r): r is Done => r !== null);
  if (done.length !== results.length) return null;
  // every range but the last must end on a record boundary, and all must be canonical CSV (a
  // headerless format would have read its first row as a header in every range)
  if (done.some((r, k) => r.stats.format !== 'canonical' || (k < done.length - 1 && r.pendingBytes !== 0)))
    return null;
  for (const r of done) aggregator.importWindows(r.windows);
  await recount(path, ref, aggregator, opts);
  // quarantined rows in file order with file line numbers: a later range counts its header as line 1
  let linesBefore = 0;
  const rows: QuarantinedRow[] = [];
  done.forEach((r, k) => {
    const shift = k === 0 ? 0 : linesBefore - k;
    for (const q of r.quarantined) rows.push(shift === 0 ? q : { ...q, line: q.line + shift });
    linesBefore += r.linesRead;
  });
  for (const q of rows) opts.onQuarantine?.(path, q);
  const stats = done.map((r) => r.stats);
  const firsts = stats.map((s) => s.firstStartMs).filter((v): v is number => v !== null);
  const lasts = stats.map((s) => s.lastStartMs).filter((v): v is number => v !== null);
  return {
    source: path,
    format: 'canonical',
    rows: stats.reduce((n, s) => n + s.rows, 0),
    calls: stats.reduce((n, s) => n + s.calls, 0),
    quarantined: stats.reduce((n, s) => n + s.quarantined, 0),
    firstStartMs: firsts.length ? Math.min(...firsts) : null,
    lastStartMs: lasts.length ? Math.max(...lasts) : null,
  };
}
