import { closeSync, mkdtempSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import {
  crLineEnds,
  nativeLayoutOf,
  SAMPLE_BYTES,
  startsCanonicalHeader,
  startsJsonLines,
} from '../shared/cdr/batch-lead.ts';
import type { FromWorker, InventoryMessage, WorkerInput } from './analyze-parallel.ts';
import { analyzeWindowLimit } from './analyze-window-limit.ts';
import { UsageError } from './errors.ts';
import { anonymousKeyFile, KeyFileReader } from './key-file.ts';

/**
 * Starts the analyze worker threads before anything else loads, when the command line alone shows
 * they will be used (one input file, big enough, of a layout that can be cut): each gets its byte range
 * and the reference files to read, and parses while the main thread is still loading its own modules
 * and reference data; the number inventory the main thread reads once and posts to them all. Only
 * node: imports and a few small modules (errors, the batch's first-bytes check) here, so this loads
 * at once; the inventory's reader is loaded once the workers are started.
 */

/**
 * Below this a batch is read on one thread: starting the workers (~0.15-0.2 s on the bench machine)
 * costs more than they save. Measured: 100k rows (16 MB) take 0.45 s on one thread and 0.53-0.71 s
 * with two workers; 500k rows (79 MB) about the same either way; 1M rows and more gain.
 */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * TRACEGUARD_ANALYZE_WORKERS: worker threads for one big batch (default: 2, or 1 on a
 * one-core machine); 1 reads it on the main thread whatever its size.
 */
function maxWorkers(): number {
  const env = process.env.TRACEGUARD_ANALYZE_WORKERS;
  const asked = env === undefined || env === '' ? 2 : Number(env);
  if (!Number.isInteger(asked) || asked < 1)
    throw new UsageError(`TRACEGUARD_ANALYZE_WORKERS must be a whole number >= 1, got '${env}'`);
  return Math.min(asked, availableParallelism());
}

/**
 * A reader writes an hour out, sets and all, once the input is this many hours past it (see
 * AggregatorOptions.spill). A call that comes later opens its hour again, and the importer merges
 * the two exactly, so one hour is enough: a reader then holds about one hour of windows, half of
 * what two held (20,000 customers, paired: peak RSS 355 -> 308 MB, wall 0.95x). Freezing the sets of
 * an hour to their counts instead, as readers did before, made every call that ended in the next
 * hour (CDRs are written when calls end) a window to recount from the file (2,000 customers in
 * end-time order: 3.1 -> 2.0 s).
 */
export const SPILL_BEHIND_HOURS = 1;
/**
 * Inflating costs about a quarter of parsing per decoded byte, both workers running (measured on the
 * bench set: with 0.17, set when parsing was slower, the first worker finished 50-170 ms early every
 * time): used to give later gzip ranges, whose workers also inflate everything before them, a
 * smaller share.
 */
const INFLATE_PER_PARSE = 0.25;

/**
 * Young generation of each worker, capped: V8 grows it towards 16 MB as a long read goes on, so peak
 * memory grew with the length of the input (a 2M-row read over two days peaked higher than 1M rows of
 * one, at the same rows per hour). What the workers keep lives in the old generation and in typed
 * arrays; the rows pass through young objects that die at once. Measured on the 2M bench set, 10-12
 * paired runs: peak RSS 200 -> 177 MB (CSV) and 218 -> 188 MB (gzip), wall time the same (0.99-1.0x).
 */
const WORKER_YOUNG_GENERATION_MB = 6;

export type WorkerDone = Extract<FromWorker, { type: 'done' }>;

/** How many workers read this file: 1 (the main thread alone) unless it is big once decoded and can be cut into ranges (rangeLayout). */
export function workerCount(path: string, fileBytes: number, format: string): number {
  const workers = maxWorkers();
  if (workers < 2) return 1;
  try {
    const size = sizeOf(path, fileBytes);
    if (size.decoded < PARALLEL_MIN_BYTES) return 1;
    // workers would read a batch that cannot be cut to no use, before the one-thread read did it again
    return rangeLayout(format, () => leadSample(path, size.gzip)) === null ? 1 : workers;
  } catch {
    return 1; // unreadable: the one-thread read reports it, naming the file
  }
}

/**
 * How a batch is cut into ranges, from the input format asked for or, for `auto`, the batch's first
 * bytes (in the parser's order: JSON Lines, a canonical header, a native row); null: it is not.
 * Canonical CSV ranges after the first get its header line. JSON Lines and the native layouts have
 * none: each range is read as that format from its first line, as the whole batch is once its first
 * line is seen. A batch whose lines end in a bare CR is not cut, whatever its format: ranges meet at
 * LF, and it has none (or not where its lines end).
 */
export function rangeLayout(format: string, lead: () => Buffer): RangeLayout | null {
  const named =
    format === 'canonical' || format === 'jsonl' || format === 'asterisk' || format === 'freeswitch';
  if (!named && format !== 'auto') return null;
  const sample = lead();
  // the parser's own test of the same first bytes: null (too short to tell) is no batch worth cutting
  if (crLineEnds(sample) !== false) return null;
  if (named) return format;
  if (startsJsonLines(sample)) return 'jsonl';
  if (startsCanonicalHeader(sample)) return 'canonical';
  return nativeLayoutOf(sample);
}

export type RangeLayout = 'canonical' | 'jsonl' | 'asterisk' | 'freeswitch';

/** compressed bytes inflated to see a gzip batch's start: a few KB of text, at most 8 MB from a bomb */
const GZIP_LEAD_BYTES = 8 * 1024;

/** The batch's first decoded bytes (for gzip, what its first GZIP_LEAD_BYTES inflate to). */
function leadSample(path: string, gzip: boolean): Buffer {
  const fd = openSync(path, 'r');
  try {
    const raw = Buffer.alloc(gzip ? GZIP_LEAD_BYTES : SAMPLE_BYTES);
    const read = raw.subarray(0, readSync(fd, raw, 0, raw.length, 0));
    // a cut stream inflates as far as it goes instead of failing
    return gzip ? gunzipSync(read, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : read;
  } finally {
    closeSync(fd);
  }
}

/** Whether the file is gzip, and its decoded size (exact for plain files, the gzip trailer's hint otherwise). */
export function sizeOf(path: string, fileBytes: number): { gzip: boolean; decoded: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return { gzip: false, decoded: fileBytes };
    const tail = Buffer.alloc(4);
    readSync(fd, tail, 0, 4, Math.max(0, fileBytes - 4));
    // ISIZE: decoded size mod 2^32 of the last member; only a hint for where to split
    const isize = tail.readUInt32LE(0);
    return { gzip: true, decoded: isize > fileBytes ? isize : fileBytes * 6 };
  } finally {
    closeSync(fd);
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

/**
 * One input per worker: the file cut into ranges. Each worker gets a file for its windows' keys
 * (anonymousKeyFile), and with `quarantineToFile` a spool file for its quarantined rows, in a
 * private temporary directory; the caller closes and removes what is left of them (removeSpools).
 */
export function rangeInputs(
  path: string,
  fileBytes: number,
  count: number,
  base: Omit<
    WorkerInput,
    'range' | 'source' | 'spillBehindHours' | 'quarantineSpool' | 'keyFd' | 'maxWindows'
  > & {
    quarantineToFile?: boolean;
  },
): WorkerInput[] {
  const size = sizeOf(path, fileBytes);
  const ends = splitPoints(size.decoded, count, size.gzip);
  const { quarantineToFile, ...shared } = base;
  // null only for a batch workerCount turned down (no layout that can be cut, or lines ending in a
  // bare CR): cut as canonical CSV, its ranges fail and one thread reads it
  const layout = rangeLayout(base.format, () => leadSample(path, size.gzip)) ?? 'canonical';
  const headed = layout === 'canonical';
  const spools = quarantineToFile ? mkdtempSync(join(tmpdir(), 'traceguard-quarantine-')) : null;
  // each range gets its share of the limit: one over it fails, and the one-thread read decides
  const maxWindows = Math.ceil(analyzeWindowLimit() / count);
  return ends.map((end, k) => ({
    ...shared,
    format: headed ? shared.format : layout,
    maxWindows,
    quarantineSpool: spools ? join(spools, `range-${k}.jsonl`) : null,
    keyFd: anonymousKeyFile(),
    source: path,
    spillBehindHours: SPILL_BEHIND_HOURS,
    range: {
      path,
      gzip: size.gzip,
      from: k === 0 ? 0 : ends[k - 1],
      to: k === ends.length - 1 ? Number.POSITIVE_INFINITY : end,
      header: headed,
    },
  }));
}

/** The worker module beside this one: TypeScript in the repository, compiled JavaScript in the installed package. */
const WORKER_MODULE = import.meta.url.endsWith('.ts') ? './analyze-worker.ts' : './analyze-worker.js';

/**
 * A worker starts from this one-line script, which imports the worker module, instead of from the
 * module itself: Node strips the types of a TypeScript module given to `new Worker` (and of all it
 * imports) without its compile cache, about 35 ms per worker, where an import finds them in the cache
 * like the main thread does (see bin/traceguard.js). Measured in a worker's CPU profile at 100
 * customers: the stripper's 29-49 ms gone.
 */
const WORKER_BOOT = `import(${JSON.stringify(new URL(WORKER_MODULE, import.meta.url).href)});`;

/** A worker thread at work on one range; its messages are kept from the start, none is lost. */
export class RangeWorker {
  readonly input: WorkerInput;
  readonly result: Promise<WorkerDone | null>;
  private readonly worker: Worker;
  private progress: ((decodedBytes: number) => void) | null = null;
  private unreported = 0;

  /** whether the key file has gone to an aggregator (takeKeys) or been closed (dropKeys) */
  private keysGone = false;

  constructor(input: WorkerInput) {
    this.input = input;
    this.worker = new Worker(WORKER_BOOT, {
      eval: true,
      workerData: input,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    this.result = new Promise((resolve) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'progress') this.advance(m.bytes);
        else if (m.type === 'done') {
          this.advance(m.progressBytes);
          resolve(m);
        } else resolve(null);
      });
      this.worker.on('error', () => resolve(null));
      this.worker.on('exit', () => resolve(null));
    });
    // never keeps the process alive on its own (e.g. when the command fails on its arguments)
    this.worker.unref();
  }

  private advance(bytes: number): void {
    if (this.progress) this.progress(bytes);
    else this.unreported += bytes;
  }

  /** Waits for the result (keeping the process alive meanwhile), reporting decoded bytes read. */
  finish(onProgress: (decodedBytes: number) => void): Promise<WorkerDone | null> {
    this.progress = onProgress;
    if (this.unreported > 0) onProgress(this.unreported);
    this.unreported = 0;
    this.worker.ref();
    return this.result;
  }

  /** Sends the worker what it waits for (see InventoryMessage); nothing once it is stopped. */
  post(message: InventoryMessage): void {
    try {
      this.worker.postMessage(message);
    } catch {
      // terminated already (the command went another way): nobody waits for it
    }
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  /** The worker's key file, if it had one, for the windows it handed over: whoever imports them closes it. */
  takeKeys(): KeyFileReader | undefined {
    this.keysGone = true;
    return this.input.keyFd === null ? undefined : new KeyFileReader(this.input.keyFd);
  }

  /** Closes the key file unless it was taken (the windows were not used, or nothing was read). */
  dropKeys(): void {
    if (this.keysGone) return;
    this.keysGone = true;
    if (this.input.keyFd !== null) closeSync(this.input.keyFd);
  }
}

export interface PrestartOptions {
  inputFormat: string;
  timezone?: string;
  customers?: string;
  numbers?: string;
  dno?: string;
  quarantineOut?: string;
  earliest?: string;
  latest?: string;
  trunks?: string;
}

/**
 * Workers for this command line, already reading; [] when it will read on one thread, or when the
 * plausible time range or a trunk map is given (parsing them needs more than this module loads: the
 * main thread starts the workers then).
 */
export function prestartWorkers(inputs: string[], opts: PrestartOptions): RangeWorker[] {
  if (inputs.length !== 1 || opts.earliest !== undefined || opts.latest !== undefined) return [];
  if (opts.trunks !== undefined) return [];
  try {
    const st = statSync(inputs[0]);
    if (!st.isFile()) return [];
    const count = workerCount(inputs[0], st.size, opts.inputFormat);
    if (count < 2) return [];
    const base = {
      format: opts.inputFormat as WorkerInput['format'],
      zone: opts.timezone ?? null,
      reference: {
        customers: opts.customers ?? null,
        inventoryPosted: Boolean(opts.numbers),
        dno: opts.dno ?? null,
      },
      quarantineToFile: Boolean(opts.quarantineOut),
    };
    const workers = rangeInputs(inputs[0], st.size, count, base).map((input) => new RangeWorker(input));
    if (opts.numbers) void postInventory(workers, opts.numbers);
    return workers;
  } catch {
    return [];
  }
}

/**
 * Reads the number inventory once, while the workers start, and posts it to them in shared memory
 * (NumberInventory.share): each used to read the file itself (at 20,000 customers, 119,000 numbers,
 * about 100 ms of each worker's start, and the table in memory twice). A file that cannot be read
 * is posted as a failure: the workers then fail, and the one-thread read reports it, with its line.
 */
async function postInventory(workers: RangeWorker[], path: string): Promise<void> {
  let message: InventoryMessage;
  try {
    const { parseInventory } = await import('../shared/detect/reference.ts');
    message = { type: 'inventory', inventory: parseInventory(readFileSync(path), path).share() };
  } catch (e) {
    message = { type: 'inventory', failed: (e as Error).message };
  }
  for (const w of workers) w.post(message);
}
