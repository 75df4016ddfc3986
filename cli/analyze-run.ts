import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { parseTimestamp } from '../shared/cdr/time.ts';
import { analyzeAll } from '../shared/detect/analysis.ts';
import type { FindingsDocument } from '../shared/detect/finding.ts';
import { mostlyOnNetSummary } from '../shared/detect/on-net-share.ts';
import { TracebackHistory } from '../shared/detect/traceback-history.ts';
import type { AnalyzeOptions } from './analyze.ts';
import { aggregateFiles } from './analyze-files.ts';
import type { RangeWorker } from './analyze-prestart.ts';
import { UsageError } from './errors.ts';
import {
  expandInputs,
  loadPolicyFile,
  loadReference,
  loadTrunks,
  parseInputFormat,
  parsePlausibility,
  parseZone,
  readText,
} from './inputs.ts';
import { jsonChunks } from './json-chunks.ts';
import { AtomicOutput, checkOutputs } from './output-file.ts';
import { progressFor } from './progress.ts';
import { renderTable } from './render-table.ts';
import { terminalSafe } from './terminal-text.ts';
import { releaseGrownYoungGeneration, scoringHeapGuard, withoutPretenuring } from './young-gc.ts';

const QUARANTINE_EXAMPLES = 5;

/**
 * The traceback history file: a header naming `customer_id` and `answered_at` (any order, any case,
 * other columns such as `traceback_id` ignored), then one traceback per line. A file whose first line
 * is a traceback rather than a header is refused: read as a header, its first traceback would be lost.
 */
function loadTracebackHistory(path: string | undefined): TracebackHistory | null {
  if (!path) return null;
  const history = new TracebackHistory();
  const lines = readText(path, 'traceback history').split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  const customerAt = header.indexOf('customer_id');
  const answeredAt = header.indexOf('answered_at');
  if (customerAt < 0 || answeredAt < 0)
    throw new UsageError(
      `${path}: line 1 must be a header naming customer_id and answered_at (e.g. customer_id,answered_at,traceback_id), got '${terminalSafe((lines[0] ?? '').slice(0, 60))}'`,
    );
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === '') return;
    const fields = line.split(',').map((s) => s.trim());
    const customer = fields[customerAt];
    const ms = parseTimestamp(fields[answeredAt] ?? '', null);
    if (!customer || Number.isNaN(ms))
      throw new UsageError(
        `${path}: line ${i + 1}: expected a customer_id and an answered_at time (ISO 8601 with offset)`,
      );
    history.add(customer, ms);
  });
  return history;
}

/** the unregistered customers named in the warning; the count says how many more */
const UNREGISTERED_NAMED = 10;

/**
 * Customers with calls that the registry does not hold are judged as new ones, on the strictest
 * thresholds: a typo in an id, a trunk map or `--switch` of another switch (a native batch's peer or
 * context names taken for customers) shows here rather than as findings about customers nobody has.
 * An id the registry holds in other letter case (a switch writing `c042` for `C042`) is named with it:
 * ids are compared exactly, so that is another customer until the switch or the registry is fixed.
 */
function warnUnregistered(unregistered: string[], registered: Iterable<string>): void {
  if (unregistered.length === 0) return;
  const shown = unregistered.slice(0, UNREGISTERED_NAMED);
  const byFolded = new Map<string, string>();
  const wanted = new Set(shown.map((id) => id.toLowerCase()));
  for (const id of registered) if (wanted.has(id.toLowerCase())) byFolded.set(id.toLowerCase(), id);
  const named = shown
    .map((id) => {
      const other = byFolded.get(id.toLowerCase());
      return terminalSafe(other === undefined ? id : `${id} (the registry has ${other})`);
    })
    .join(', ');
  const more =
    unregistered.length > UNREGISTERED_NAMED ? `, and ${unregistered.length - UNREGISTERED_NAMED} more` : '';
  process.stderr.write(
    `traceguard: ${unregistered.length} customer(s) with calls are not in the registry and were judged as new customers: ${named}${more} (check the customer ids, the trunk map, or --switch for native batches)\n`,
  );
}

export async function runAnalyze(
  inputs: string[],
  opts: AnalyzeOptions,
  workers: RangeWorker[] = [],
): Promise<Iterable<string>> {
  const format = opts.format ?? (process.stdout.isTTY && !opts.out ? 'table' : 'json');
  if (format !== 'json' && format !== 'table')
    throw new UsageError(`--format must be json or table, got '${format}'`);
  const inputFormat = parseInputFormat(opts.inputFormat);
  const zone = parseZone(opts.timezone);
  const plausibility = parsePlausibility(opts);
  // workers already reading check calls against the inventory themselves (see loadReference)
  const ref = loadReference(opts, workers.length > 0);
  const policy = loadPolicyFile(opts.policy);
  const tracebacks = loadTracebackHistory(opts.tracebacks);
  const attribution = loadTrunks(opts.trunks, opts.switch);
  // workers read meanwhile: what loading the reference grew in this thread is given back first
  if (workers.length > 0) releaseGrownYoungGeneration();
  const files = await expandInputs(inputs);
  const read = [opts.customers, opts.numbers, opts.dno, opts.policy, opts.tracebacks].filter(
    (p): p is string => Boolean(p),
  );
  checkOutputs({ '--out': opts.out, '--quarantine-out': opts.quarantineOut }, [
    ...files.map((f) => f.path),
    ...read,
  ]);

  // quarantined rows go straight to the file (when asked for); only a few examples stay in memory.
  // The file holds at most --quarantine-max rows: a gzip of 6 MB that repeats one row 40 million
  // times wrote a report of 10 GB, which no one reads and which can fill the disk.
  const quarantineMax = parseQuarantineMax(opts.quarantineMax);
  const quarantineFile = opts.quarantineOut ? new AtomicOutput(opts.quarantineOut) : null;
  const examples: string[] = [];
  let written = 0;
  const onQuarantine = (source: string, q: QuarantinedRow) => {
    if (examples.length < QUARANTINE_EXAMPLES)
      examples.push(terminalSafe(`${source}:${q.line}: ${q.reason}`));
    if (quarantineFile === null || written >= quarantineMax) return;
    written++;
    quarantineFile.write(`${JSON.stringify({ source, ...q })}\n`);
  };
  const progress = progressFor(
    files.reduce((s, f) => s + f.size, 0),
    'analyzing',
  );
  let totals: Awaited<ReturnType<typeof aggregateFiles>>['totals'];
  let aggregator: Awaited<ReturnType<typeof aggregateFiles>>['aggregator'];
  try {
    ({ aggregator, totals } = await aggregateFiles(files, ref, {
      format: inputFormat,
      zone,
      plausibility,
      attribution,
      onQuarantine,
      quarantineToFile: quarantineFile !== null,
      progress,
      workers,
    }).finally(() => progress.stop()));
    quarantineFile?.commit();
  } catch (e) {
    quarantineFile?.abort();
    throw e;
  }
  // one line per file without rows, and per file for rows without a customer however many: the fix is the same
  for (const note of totals.notes) process.stderr.write(`traceguard: ${terminalSafe(note)}\n`);
  if (totals.quarantined > 0) {
    process.stderr.write(
      `traceguard: ${totals.quarantined} row(s) quarantined, e.g.\n${examples.map((e) => `  ${e}`).join('\n')}\n`,
    );
  }
  if (quarantineFile !== null && totals.quarantined > written)
    process.stderr.write(
      `traceguard: ${opts.quarantineOut} holds the first ${written} of the ${totals.quarantined} quarantined rows (--quarantine-max ${quarantineMax}); the rest are counted, not written\n`,
    );

  const { findings, offNet, unregistered, mostlyOnNet } = withoutPretenuring(() =>
    analyzeAll(aggregator, ref, policy, tracebacks, scoringHeapGuard()),
  );
  if (opts.customers) warnUnregistered(unregistered, ref.customers.keys());
  const onNet = mostlyOnNetSummary('the input', mostlyOnNet);
  if (onNet !== null) process.stderr.write(`traceguard: ${terminalSafe(onNet)}\n`);
  // scored: the windows' memory goes before the findings are written, and so does the young
  // generation scoring grew (releaseGrownYoungGeneration says why that takes a collection)
  aggregator.release();
  releaseGrownYoungGeneration();
  const doc: FindingsDocument = {
    findings,
    summary: {
      batches: totals.batches,
      rows: totals.rows,
      quarantined: totals.quarantined,
      unattributed: totals.unattributed,
      calls: totals.calls,
      ...offNet,
    },
  };
  // JSON in pieces: a carrier's findings run to tens of MB, which one string would hold twice over
  return format === 'json' ? jsonChunks(doc) : [renderTable(doc, Boolean(process.stdout.isTTY) && !opts.out)];
}

/** --quarantine-max: a whole number of rows, 0 or more. */
function parseQuarantineMax(value: string | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const rows = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(rows))
    throw new UsageError(`--quarantine-max must be a whole number of rows, got '${value}'`);
  return rows;
}
