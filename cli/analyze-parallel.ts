import { createReadStream, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CustomerAttribution, TrunkRoute } from '../shared/cdr/attribution.ts';
import type { BatchStats, DetectedFormat, InputFormat } from '../shared/cdr/batch-parser.ts';
import type { Plausibility } from '../shared/cdr/plausibility.ts';
import { type RecentEnds, repeatsAcross } from '../shared/cdr/recent-calls.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { type Aggregator, type AggregatorTransfer, WindowLimitError } from '../shared/detect/aggregator.ts';
import type { DeclaredColumns } from '../shared/detect/declarations.ts';
import type { ReferenceData, SharedInventory } from '../shared/detect/reference.ts';
import { type PeerRows, UnattributedTally } from '../shared/ingest/unattributed-summary.ts';
import { RangeWorker, rangeInputs, type WorkerDone } from './analyze-prestart.ts';
import type { ByteRange } from './analyze-range.ts';
import type { Progress } from './progress.ts';

export { PARALLEL_MIN_BYTES, splitPoints, workerCount } from './analyze-prestart.ts';

/**
 * Analyze on several cores for one big batch (canonical CSV, JSON Lines, native switch CSV): each worker thread reads its own byte
 * range of the file (analyze-range.ts; gzip is decoded from the start by each) and aggregates every
 * record in it, so nothing is parsed twice; the main thread merges the windows in input order.
 * Workers write out each hour the input has left behind, sets and all, so memory follows the open
 * hours, not the file; an hour that two ranges share, or that a late call opened again, is merged
 * exactly from its parts, so no input order needs a second pass over the file. Returns null whenever
 * ranges cannot apply (not the format cut for, a boundary inside a quoted field, a header again
 * in another column order in force at a boundary, a row repeating a call of the range before, a
 * worker failing): the caller then reads the file the ordinary way, which also reports any real
 * error.
 */

export interface WorkerInput {
  source: string;
  format: InputFormat;
  zone: string | null;
  /** bounds on times and durations (default: the parser's) */
  plausibility?: Plausibility;
  range: ByteRange;
  spillBehindHours: number;
  /**
   * reference files the worker reads itself (started ahead, before the main thread has them), and
   * whether the main thread posts it a number inventory (InventoryMessage) to wait for...
   */
  reference?: { customers: string | null; inventoryPosted: boolean; dno: string | null };
  /** ...or the reference data itself */
  dno?: string[];
  inventory?: SharedInventory;
  /** the registry's declared columns of the customers that declared anything */
  declared?: DeclaredColumns[];
  /** customer-hour windows this range may hold (its share of the run's limit) */
  maxWindows: number;
  /** the trunk map's entries for this switch (--trunks), for native rows without an account code */
  trunkRoutes?: TrunkRoute[];
  /** where to write every quarantined row (JSON Lines, range line numbers) when they are all wanted */
  quarantineSpool?: string | null;
  /**
   * the file the windows' keys go to (anonymousKeyFile, KeyFileWriter): the main thread's, which reads
   * it after; null: they stay among the numbers
   */
  keyFd: number | null;
}

/** The number inventory the main thread read for the workers, or why it could not. */
export type InventoryMessage =
  | { type: 'inventory'; inventory: SharedInventory }
  | { type: 'inventory'; failed: string };

/** quarantined rows a worker hands back in its answer (the rest are only counted, or spooled) */
export const QUARANTINE_SAMPLES = 5;

export type FromWorker =
  | { type: 'progress'; bytes: number }
  | {
      type: 'done';
      stats: BatchStats;
      /** the first QUARANTINE_SAMPLES quarantined rows of the range */
      quarantined: QuarantinedRow[];
      windows: AggregatorTransfer;
      linesRead: number;
      pendingBytes: number;
      /**
       * whether the range ends reading rows by the batch's first header, which the range after it is
       * given (not by a header met again among the rows, in another column order or spelling)
       */
      firstHeader: boolean;
      progressBytes: number;
      /** rows quarantined for want of a customer, by peer (UnattributedTally) */
      unattributed: PeerRows;
      /** the calls the range's reader remembers at its ends, for repeats across ranges */
      recent: RecentEnds;
    }
  | { type: 'failed'; message: string };

interface ParallelOptions {
  format: InputFormat;
  zone: string | null;
  plausibility?: Plausibility;
  /** workers already reading this file (analyze-prestart.ts); else `count` are started here */
  workers?: RangeWorker[];
  count?: number;
  onQuarantine?: (source: string, row: QuarantinedRow) => void;
  /** every quarantined row is wanted (workers spool them to files), not only examples */
  quarantineToFile?: boolean;
  progress?: Progress;
  /** customers of native rows without an account code (--trunks) */
  attribution?: CustomerAttribution;
}

/** A batch read in ranges: its stats, and its rows no customer could be found for. */
export interface ParallelRead {
  stats: BatchStats;
  unattributed: UnattributedTally;
}

export async function aggregateFileInParallel(
  path: string,
  fileBytes: number,
  ref: ReferenceData,
  aggregator: Aggregator,
  opts: ParallelOptions,
): Promise<ParallelRead | null> {
  let workers = opts.workers ?? [];
  let reporting = false;
  try {
    if (workers.length === 0) {
      const base = {
        format: opts.format,
        zone: opts.zone,
        plausibility: opts.plausibility,
        dno: [...ref.dno],
        inventory: ref.inventory.share(),
        declared: [...ref.customers.values()]
          .filter((c) => ref.declarations.has(c.customer_id))
          .map(({ customer_id, declared_ip_ranges, declared_numbers }) => ({
            customer_id,
            declared_ip_ranges,
            declared_numbers,
          })),
        quarantineToFile: opts.quarantineToFile,
        trunkRoutes: opts.attribution?.routes(),
      };
      workers = rangeInputs(path, fileBytes, opts.count ?? 2, base).map((i) => new RangeWorker(i));
    }
    // workers started without a spool cannot give every quarantined row: read on one thread instead
    if (opts.quarantineToFile && workers.some((w) => !w.input.quarantineSpool)) return null;
    const done = await collect(workers, fileBytes, opts.progress);
    if (done === null) return null;
    done.forEach((r, k) => {
      // the windows' keys stay in their file, read when a merge or a rule wants them; the aggregator
      // closes it when it releases the windows
      r.windows.keys = workers[k].takeKeys();
      aggregator.importWindows(r.windows);
    });
    // once rows have gone to the quarantine output a fallback would repeat them: errors from here on are real
    reporting = true;
    await reportQuarantine(path, done, workers, opts.onQuarantine);
    const unattributed = new UnattributedTally();
    for (const r of done) unattributed.add(r.unattributed);
    return { stats: combine(path, done, workers), unattributed };
  } catch (e) {
    // the workers' windows together pass the run's window limit: reading again on one thread would
    // only meet the same limit after reading the whole file once more
    if (reporting || e instanceof WindowLimitError) throw e;
    return null;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    removeSpools(workers);
  }
}

/** Every worker's result, or null as soon as one failed, or when a range cannot be trusted. */
async function collect(
  workers: RangeWorker[],
  fileBytes: number,
  progress: Progress | undefined,
): Promise<WorkerDone[] | null> {
  // progress comes in decoded bytes; for gzip, scale by the decoded size the ranges were cut from
  const last = workers[workers.length - 1].input.range;
  const decoded = workers.length > 1 ? (last.from * workers.length) / (workers.length - 1) : fileBytes;
  const scale = last.gzip ? fileBytes / Math.max(1, decoded) : 1;
  let reported = 0;
  const onProgress = (bytes: number) => {
    const step = Math.min(Math.round(bytes * scale), fileBytes - reported);
    reported += step;
    if (step > 0) progress?.advance(step);
  };
  // one failed range decides: the others are not waited for (the caller terminates them)
  const failed = Symbol('failed');
  const results = await Promise.all(
    workers.map((w) => w.finish(onProgress).then((r) => r ?? Promise.reject(failed))),
  ).catch((e: unknown) => {
    if (e === failed) return null;
    throw e;
  });
  if (results === null) return null;
  const done = results;
  // every range but the last must end on a record boundary, by the header the next one is given (a
  // header again among the rows, in another column order, is in force up to the next: only one reader
  // knows where), and all must be read as the format the batch was cut as: canonical CSV (a headerless
  // batch would have read its first row as a header in every range), or JSON Lines or a native layout
  // (a range may then have no lines at all)
  const format = batchFormat(workers);
  const readAs = (f: string) => f === format || (format !== 'canonical' && f === 'empty');
  const ends = (r: WorkerDone) => r.pendingBytes === 0 && r.firstHeader;
  if (done.some((r, k) => !readAs(r.stats.format) || (k < done.length - 1 && !ends(r)))) return null;
  // a row that repeats a call of the range before would count twice: one reader counts it once
  if (done.some((r, k) => k > 0 && repeatsAcross(done[k - 1].recent, r.recent))) return null;
  return done;
}

/** What the ranges were cut as: canonical CSV (sharing its header), or the headerless format each range was given. */
function batchFormat(workers: RangeWorker[]): DetectedFormat {
  const { range, format } = workers[0].input;
  return range.header || format === 'auto' ? 'canonical' : format;
}

/**
 * Quarantined rows in file order with file line numbers (a later CSV range counts its header as line
 * 1): streamed from the workers' spool files when every row is wanted, else the examples they kept.
 */
async function reportQuarantine(
  path: string,
  done: WorkerDone[],
  workers: RangeWorker[],
  onQuarantine: ((source: string, row: QuarantinedRow) => void) | undefined,
): Promise<void> {
  const shifts = lineShifts(done, workers);
  for (const [k, r] of done.entries()) {
    const shift = shifts[k];
    const report = (q: QuarantinedRow) =>
      onQuarantine?.(path, shift === 0 ? q : { ...q, line: q.line + shift });
    const spool = workers[k].input.quarantineSpool;
    if (spool) for await (const q of spooledRows(spool)) report(q);
    else r.quarantined.forEach(report);
  }
}

/**
 * What to add to a line number of each range to make it the file's (a later CSV range counts its
 * header as line 1).
 */
function lineShifts(done: WorkerDone[], workers: RangeWorker[]): number[] {
  let linesBefore = 0;
  return done.map((r, k) => {
    const shift = k === 0 || !workers[k].input.range.header ? linesBefore : linesBefore - k;
    linesBefore += r.linesRead;
    return shift;
  });
}

/**
 * The rows of a spool file, one JSON document per line. Split on '\n' only: JSON.stringify escapes
 * CR and LF inside strings but not U+2028, which line readers also take for a line end.
 */
async function* spooledRows(spool: string): AsyncGenerator<QuarantinedRow> {
  let rest = '';
  for await (const chunk of createReadStream(spool, { encoding: 'utf8' })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') yield JSON.parse(line) as QuarantinedRow;
  }
  if (rest !== '') yield JSON.parse(rest) as QuarantinedRow;
}

/** Deletes the workers' quarantine spools, and closes the key files no aggregator took. */
export function removeSpools(workers: RangeWorker[]): void {
  for (const w of workers) {
    w.dropKeys();
    if (w.input.quarantineSpool) rmSync(dirname(w.input.quarantineSpool), { recursive: true, force: true });
  }
}

function combine(path: string, done: WorkerDone[], workers: RangeWorker[]): BatchStats {
  const stats = done.map((r) => r.stats);
  // only the last range ends where the file does (the others end on a line end)
  const last = stats[stats.length - 1].openLastRowLine;
  const shifts = lineShifts(done, workers);
  const firsts = stats.map((s) => s.firstStartMs).filter((v): v is number => v !== null);
  const lasts = stats.map((s) => s.lastStartMs).filter((v): v is number => v !== null);
  return {
    source: path,
    format: batchFormat(workers),
    rows: stats.reduce((n, s) => n + s.rows, 0),
    calls: stats.reduce((n, s) => n + s.calls, 0),
    quarantined: stats.reduce((n, s) => n + s.quarantined, 0),
    openLastRowLine: last === null ? null : last + shifts[shifts.length - 1],
    heldBack: stats.reduce((n, s) => n + s.heldBack, 0),
    repeatedHourGuessed: stats.reduce((n, s) => n + s.repeatedHourGuessed, 0),
    firstStartMs: firsts.length ? Math.min(...firsts) : null,
    lastStartMs: lasts.length ? Math.max(...lasts) : null,
  };
}
