import { readFileSync, statSync } from 'node:fs';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { CustomerAttribution } from '../shared/cdr/attribution.ts';
import { BatchParser, type BatchStats } from '../shared/cdr/batch-parser.ts';
import type { QuarantinedRow } from '../shared/cdr/record.ts';
import { ZoneClock } from '../shared/cdr/time.ts';
import { Aggregator, spillReserveBytes } from '../shared/detect/aggregator.ts';
import { declarationsOf } from '../shared/detect/declarations.ts';
import { emptyReference, NumberInventory, parseDno, type ReferenceData } from '../shared/detect/reference.ts';
import { UnattributedTally } from '../shared/ingest/unattributed-summary.ts';
import {
  type FromWorker,
  type InventoryMessage,
  QUARANTINE_SAMPLES,
  type WorkerInput,
} from './analyze-parallel.ts';
import { pushRange } from './analyze-range.ts';
import { ANALYZE_TRUNKS } from './analyze-trunks.ts';
import { WINDOWS_PER_CALL } from './analyze-window-limit.ts';
import { KeyFileWriter } from './key-file.ts';
import { AtomicOutput } from './output-file.ts';

/**
 * One of the analyze worker threads: reads its own byte range of the batch straight from the file
 * (see analyze-range.ts), parses and aggregates every record in it, writing out the hours the input
 * has moved past as numbers for the main thread (only the open hours stay objects), and answers with
 * its stats, example quarantined rows (all of them in its spool file), windows and where its range
 * ended (lines read, and whether a record was left open at the boundary).
 */
const port = parentPort;
if (!port) throw new Error('analyze-worker.ts runs only as a worker thread');
const input = workerData as WorkerInput;

// the checks a call needs (DNO, inventory); the main thread loads the same files for scoring and
// reports any error in them
const ref = emptyReference();
const files = input.reference;
if (files) {
  if (files.customers) ref.declarations = await declaredIn(files.customers);
  if (files.dno) ref.dno = parseDno(readFileSync(files.dno, 'utf8'), files.dno);
  if (files.inventoryPosted) {
    const posted = postedInventory(port);
    // while it is on its way, the first use of the time zone database: that costs 15-25 ms once per
    // process (ICU loading its data), which the fold would otherwise pay at its first call with a
    // called party's local time, reading already
    new ZoneClock('America/New_York').offsetAt(0);
    ref.inventory = await posted;
  }
} else {
  ref.dno = new Set(input.dno ?? []);
  if (input.inventory) ref.inventory = NumberInventory.fromShared(input.inventory);
  ref.declarations = declarationsOf(input.declared ?? []);
}

/** The number inventory the main thread posts (see postInventory in analyze-prestart.ts). */
function postedInventory(from: MessagePort): Promise<NumberInventory> {
  return new Promise((resolve, reject) => {
    from.once('message', (m: InventoryMessage) => {
      if ('failed' in m) reject(new Error(m.failed));
      else resolve(NumberInventory.fromShared(m.inventory));
    });
  });
}

/**
 * What a registry declares, checked per call: it only matters here when it declares addresses or
 * numbers, and its parser (and the schema library) is loaded only then. Read in a function of its own
 * so the file's text is not held: a module's own variables live for as long as it runs (the read).
 */
async function declaredIn(path: string): Promise<ReferenceData['declarations']> {
  const registry = readFileSync(path, 'utf8');
  if (!/declared_(ip_ranges|numbers)/i.test(registry.slice(0, registry.indexOf('\n') >>> 0)))
    return new Map();
  const { parseCustomers } = await import('../shared/detect/customers.ts');
  return declarationsOf(parseCustomers(registry, path).values());
}

/**
 * Decoded bytes of this range, for the room its spilled hours take (spillReserveBytes). The last
 * range runs to the end of the file; a gzip range counts decoded bytes, which its start (the ranges
 * before it) estimates.
 */
function rangeBytes(range: WorkerInput['range']): number {
  return range.to !== Number.POSITIVE_INFINITY
    ? range.to - range.from
    : Math.max(range.from, statSync(range.path).size - range.from);
}

// the sets' keys of the hours written out go to a file: most of their bytes, seldom read again
const keys = input.keyFd === null ? undefined : new KeyFileWriter(input.keyFd);
const aggregator = new Aggregator(ref, {
  trunkWindows: ANALYZE_TRUNKS,
  // every window goes to the main thread, whole: hours leave this thread's memory once the input has
  // left them behind, and a call that comes later for one of them opens it again. The main thread
  // merges the parts exactly, so no input order makes it read the file again
  spill: {
    behindHours: input.spillBehindHours,
    reserveBytes: spillReserveBytes(rangeBytes(input.range)),
    keys,
  },
  maxWindows: input.maxWindows,
  windowsPerCall: WINDOWS_PER_CALL,
});
// quarantined rows are counted by the parser; a few are kept as examples, and all of them go to the
// spool file when the command writes a quarantine file (memory does not grow with bad rows)
const quarantined: QuarantinedRow[] = [];
const spool = input.quarantineSpool ? new AtomicOutput(input.quarantineSpool) : null;
// rows of a native batch no customer is found for are quarantined; the main thread sums them by peer
const unattributed = new UnattributedTally();
const parser = new BatchParser(
  {
    source: input.source,
    format: input.format,
    zone: input.zone ? new ZoneClock(input.zone) : null,
    plausibility: input.plausibility,
    attribution: input.trunkRoutes ? new CustomerAttribution(input.trunkRoutes) : undefined,
    // only batches whose lines end in LF are cut (rangeLayout); a range's own first line is a row
    // from the middle, whose stray CR must not make it read its CRs as line ends
    crLineEnds: false,
    range: true,
  },
  {
    ...aggregator.callSink(),
    quarantine: (q) => {
      if (quarantined.length < QUARANTINE_SAMPLES) quarantined.push(q);
      unattributed.quarantined(q);
      spool?.write(`${JSON.stringify(q)}\n`);
    },
  },
);

let sinceReport = 0;
// no collections on demand: the range comes through one reused buffer (fileChunks), and a gzip range's
// inflated buffers are freed as soon as they are read (decodeBatch), so no chunks wait for the
// collector any more (collecting every 8 MB read, 4 MB skipped, as before: peak RSS the same within
// noise at 100, 2,000 and 20,000 customers and 2M rows, CSV and gzip)
try {
  await pushRange(input.range, (bytes) => {
    parser.push(bytes);
    sinceReport += bytes.length;
    if (sinceReport >= 8 << 20) {
      port.postMessage({ type: 'progress', bytes: sinceReport } satisfies FromWorker);
      sinceReport = 0;
    }
  });
  const { linesRead, pendingBytes, firstHeader } = parser.position();
  const stats: BatchStats = parser.end();
  spool?.commit();
  const { state, buffers } = aggregator.exportWindows();
  keys?.finish();
  const recent = parser.recentEnds();
  port.postMessage(
    {
      type: 'done',
      stats,
      quarantined,
      windows: state,
      linesRead,
      pendingBytes,
      firstHeader,
      progressBytes: sinceReport,
      unattributed: unattributed.counts(),
      recent,
    } satisfies FromWorker,
    [...buffers, recent.head.buffer, ...recent.tails.map((t) => t.buffer)],
  );
} catch (e) {
  spool?.abort();
  port.postMessage({ type: 'failed', message: (e as Error).message } satisfies FromWorker);
}
