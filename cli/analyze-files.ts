import { closeSync } from 'node:fs';
import type { CustomerAttribution } from '../shared/cdr/attribution.ts';
import type { BatchStats, InputFormat } from '../shared/cdr/batch-parser.ts';
import { BatchReadError } from '../shared/cdr/batch-parser.ts';
import { noRowsReason } from '../shared/cdr/no-rows.ts';
import type { Plausibility } from '../shared/cdr/plausibility.ts';
import { readBatch } from '../shared/cdr/read-batch.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { repeatedHourSummary } from '../shared/cdr/repeated-hour.ts';
import type { ZoneClock } from '../shared/cdr/time.ts';
import { Aggregator, spillReserveBytes, WindowLimitError } from '../shared/detect/aggregator.ts';
import type { ReferenceData } from '../shared/detect/reference.ts';
import { UnattributedTally } from '../shared/ingest/unattributed-summary.ts';
import { aggregateFileInParallel, removeSpools } from './analyze-parallel.ts';
import { type RangeWorker, SPILL_BEHIND_HOURS, sizeOf, workerCount } from './analyze-prestart.ts';
import { ANALYZE_TRUNKS } from './analyze-trunks.ts';
import { analyzeWindowLimit, WINDOWS_PER_CALL } from './analyze-window-limit.ts';
import { UsageError, unreadableBatch } from './errors.ts';
import { fileChunks, tapped } from './file-chunks.ts';
import { anonymousKeyFile, KeyFileReader, KeyFileWriter } from './key-file.ts';
import type { Progress } from './progress.ts';
import { collectAfterRead } from './young-gc.ts';

export interface FileTotals {
  batches: number;
  rows: number;
  calls: number;
  quarantined: number;
  /** quarantined rows whose customer could not be found (a subset of `quarantined`) */
  unattributed: number;
  /** one line per file the operator should look at: no rows at all, or rows without a customer */
  notes: string[];
}

/**
 * Reads files into one Aggregator: the same parser and aggregation code the ingest function runs.
 * An unreadable file stops the run (exit 2) with a message naming it.
 */
export async function aggregateFiles(
  files: Array<{ path: string; size: number }>,
  ref: ReferenceData,
  opts: {
    format: InputFormat;
    zone: ZoneClock | null;
    /** bounds on times and durations (default: the parser's) */
    plausibility?: Plausibility;
    /** customers of native rows without accountcode (--trunks, --switch) */
    attribution?: CustomerAttribution;
    onQuarantine?: (source: string, row: QuarantinedRow) => void;
    /** every quarantined row is wanted, in order (not only examples) */
    quarantineToFile?: boolean;
    progress?: Progress;
    /** worker threads already reading the single input (analyze-prestart.ts); terminated if not used */
    workers?: RangeWorker[];
  },
): Promise<{ aggregator: Aggregator; totals: FileTotals }> {
  const maxWindows = analyzeWindowLimit();
  const limits = { maxWindows, windowsPerCall: WINDOWS_PER_CALL };
  const totals: FileTotals = {
    batches: 0,
    rows: 0,
    calls: 0,
    quarantined: 0,
    unattributed: 0,
    notes: [],
  };
  // one big batch: worker threads each read a byte range of it
  const only = files.length === 1 ? files[0] : null;
  const count = only ? workerCount(only.path, only.size, opts.format) : 1;
  const started = opts.workers ?? [];
  const usable =
    only !== null && count > 1 && started.length === count && started[0].input.source === only.path;
  if (!usable) {
    await Promise.all(started.map((w) => w.terminate()));
    removeSpools(started);
  }
  if (only && count > 1) {
    const aggregator = new Aggregator(ref, { ...limits, trunkWindows: ANALYZE_TRUNKS });
    const read = await aggregateFileInParallel(only.path, only.size, ref, aggregator, {
      format: opts.format,
      zone: opts.zone?.zone ?? null,
      plausibility: opts.plausibility,
      workers: usable ? started : undefined,
      count,
      onQuarantine: opts.onQuarantine,
      quarantineToFile: opts.quarantineToFile,
      progress: opts.progress,
      attribution: opts.attribution,
    }).catch((e: unknown) => {
      throw e instanceof WindowLimitError ? windowLimitUsage(only.path, e) : e;
    });
    if (read) {
      addBatch(totals, only.path, read.stats, read.unattributed, opts.zone);
      return { aggregator, totals };
    }
  }
  // one thread (in a clean aggregator: ranges may have handed over windows before one failed). The
  // reader writes out each hour the input has left behind, sets and all, so memory follows the open
  // hours rather than the whole input's (1M rows of 20,000 customers: 855 MB held as objects, 475 MB
  // so); the scoring aggregator takes them in and builds one customer at a time. Late calls merge
  // exactly on import.
  const inputBytes = decodedBytes(files);
  // the keys of the hours written out go to a file, as the workers' do (see KeyFileWriter)
  const keyFd = anonymousKeyFile();
  const keys = keyFd === null ? undefined : new KeyFileWriter(keyFd);
  const reader = new Aggregator(ref, {
    ...limits,
    trunkWindows: ANALYZE_TRUNKS,
    spill: { behindHours: SPILL_BEHIND_HOURS, reserveBytes: spillReserveBytes(inputBytes), keys },
  });
  for (const { path } of files) {
    const tally = new UnattributedTally();
    try {
      const stats = await readBatch(
        tapped(fileChunks(path), (bytes) => opts.progress?.advance(bytes)),
        {
          source: path,
          format: opts.format,
          zone: opts.zone,
          plausibility: opts.plausibility,
          attribution: opts.attribution,
        },
        {
          ...reader.callSink(),
          quarantine: (q) => {
            tally.quarantined(q);
            opts.onQuarantine?.(path, q);
          },
        },
      );
      addBatch(totals, path, stats, tally, opts.zone);
    } catch (e) {
      if (keyFd !== null) closeSync(keyFd);
      if (e instanceof BatchReadError) throw unreadableBatch(e);
      if (e instanceof WindowLimitError) throw windowLimitUsage(path, e);
      if ((e as NodeJS.ErrnoException).code)
        throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code})`);
      throw e;
    }
  }
  const read = reader.exportWindows().state;
  if (keyFd !== null) {
    keys?.finish();
    // the scoring aggregator closes the file when it releases the windows
    read.keys = new KeyFileReader(keyFd);
  }
  // the reader's state is garbage now; below this much input, collecting it costs more than it frees
  if (inputBytes >= COLLECT_AFTER_READ_MIN_BYTES) collectAfterRead();
  const scoring = new Aggregator(ref, { ...limits, trunkWindows: ANALYZE_TRUNKS });
  scoring.importWindows(read);
  return { aggregator: scoring, totals };
}

/**
 * Adds one batch read, either way, to the run's totals: its rows, and a line if it has none, some
 * without a customer, some whose start in the hour a clock change repeats was read by rule, or a
 * last row without a line end.
 */
function addBatch(
  totals: FileTotals,
  path: string,
  stats: BatchStats,
  unattributed: UnattributedTally,
  zone: ZoneClock | null,
): void {
  totals.unattributed += unattributed.unattributed;
  const none = noRowsReason(stats);
  if (none !== null) totals.notes.push(`${path}: ${none}`);
  const note = unattributed.summary(path, stats.rows);
  if (note !== null) totals.notes.push(note);
  const repeated = repeatedHourSummary(path, stats.repeatedHourGuessed, stats.rows, zone?.zone ?? '');
  if (repeated !== null) totals.notes.push(repeated);
  // read once, a file has no later version to complete its last row: it counts as it stands (most
  // files without a final line end are complete), said, as a copy taken mid-write cuts it short
  if (stats.openLastRowLine !== null)
    totals.notes.push(
      `${path}: its last row (line ${stats.openLastRowLine}) has no line end: read as it stands; if the file was copied while the switch was writing it, that row may be cut short (copy the file again once the switch has written it)`,
    );
  totals.batches++;
  totals.rows += stats.rows;
  totals.calls += stats.calls;
  totals.quarantined += stats.quarantined;
}

/** decoded input from which the one-thread read is collected after (a 100 KB batch: 24 ms for nothing) */
const COLLECT_AFTER_READ_MIN_BYTES = 16 << 20;

/** The input's bytes once decoded (a gzip file by the size its trailer gives), for spillReserveBytes. */
function decodedBytes(files: Array<{ path: string; size: number }>): number {
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += sizeOf(f.path, f.size).decoded;
    } catch {
      bytes += f.size; // unreadable: the read reports it, naming the file
    }
  }
  return bytes;
}

/** What to do about too many windows, said once for both ways of reading. */
function windowLimitUsage(path: string, e: WindowLimitError): UsageError {
  return new UsageError(
    `${path}: ${e.message}; analyze fewer customers or hours per run (e.g. a day of batches at a time) or raise TRACEGUARD_ANALYZE_MAX_WINDOWS (windows beyond one for every two calls; about 4 KB each)`,
  );
}
