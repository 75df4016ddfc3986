import type { BatchSink } from '../cdr/batch-parser.ts';
import type { PackedCall } from '../cdr/packed-call.ts';
import type { CallRecord, QuarantinedRow } from '../cdr/record.ts';
import { HOUR_MS } from '../cdr/time.ts';
import { Aggregator } from '../detect/aggregator.ts';
import type { ReferenceData } from '../detect/reference.ts';
import { CallsDigest } from './calls-digest.ts';
import { EXAMPLE_CALLS } from './finding-event.ts';
import type { HourSpan, PartStats } from './ports.ts';
import { UnattributedTally } from './unattributed-summary.ts';

/** Distinct counters stay exact up to this many keys, so a window item stays far below 400 KB. */
export const STORE_EXACT_LIMIT = 2048;
/** Raw text kept per quarantined row (evidence, not a copy of the batch). */
export const QUARANTINE_RAW_LIMIT = 1000;
/** The time budget is looked at every this many rows (cheap, and often enough at ~1M rows/s). */
const CHECK_EVERY_ROWS = 1000;

/** Thrown from inside the parser's sink to stop reading at a part boundary. */
export class PartEnd extends Error {
  override name = 'PartEnd';
  readonly endRow: number;
  constructor(endRow: number) {
    super(`part ends after data row ${endRow}`);
    this.endRow = endRow;
  }
}

export interface PartBounds {
  /** data rows of the object before this part (already handled by earlier parts) */
  skipRows: number;
  /** recorded end of this part from an earlier attempt: stop exactly there, whatever the clock says */
  fixedEndRow: number | null;
  /** asked every few rows when the end is not fixed: true = end the part here */
  shouldCut(quarantineBytes: number, windows: number): boolean;
  /** how often shouldCut is asked; default every 1,000 rows */
  checkEveryRows?: number;
}

/**
 * The parser's sink for one part of one batch: skips rows earlier parts handled, folds calls into
 * windows, keeps quarantined rows as JSON Lines and a few call ids per customer-hour as examples.
 * Calls arrive either as CallRecords (`call`) or, for canonical CSV in the common shape, through the
 * parser's fast lane (`packed`, the same reader `traceguard analyze` uses); both count the same.
 * Data rows are numbered in object order (rows = calls + quarantined; the parser hands every row
 * over in input order, fast-lane rows included), which is what makes `skipRows` and part ends exact.
 */
export class PartCollector implements BatchSink {
  /** fast-lane rows carry their call id: findings quote a few per customer-hour */
  readonly packedCallIds = true;
  /** fast-lane rows carry their source address when some customer declared its addresses */
  readonly packedSourceIps: boolean;
  readonly aggregator: Aggregator;
  readonly quarantineLines: string[] = [];
  /** this part's rows quarantined for lack of a customer, by peer (one summary line per part) */
  readonly unattributed = new UnattributedTally();
  /**
   * this part's calls whose start in the hour a clock change repeats was read as the first, nothing in
   * the row telling which (one summary line per part)
   */
  repeatedHourGuessed = 0;
  /** the call the parser hands over next is one of those (guessedRepeatedHour) */
  private guessedNext = false;
  quarantineBytes = 0;
  /** the part's counted calls, fingerprinted: a batch of calls counted before is a repeat (process-batch.ts) */
  readonly calls = new CallsDigest();
  private readonly bounds: PartBounds;
  /** customer -> UTC hour index -> up to EXAMPLE_CALLS call ids: one entry per customer-hour window */
  private readonly examples = new Map<string, Map<number, string[]>>();
  /** UTC hour index -> first and last call start in that hour */
  private readonly hours = new Map<number, HourSpan>();
  private row = 0;
  readonly stats: PartStats = { rows: 0, calls: 0, quarantined: 0, firstMs: null, lastMs: null };

  constructor(ref: ReferenceData, bounds: PartBounds) {
    this.aggregator = new Aggregator(ref, { exactLimit: STORE_EXACT_LIMIT, trunkWindows: true });
    this.packedSourceIps = this.aggregator.needsSourceIps;
    this.bounds = bounds;
  }

  /**
   * windows this part holds so far, customer-hour and trunk-hour: a customer sending through many
   * trunks holds a window per trunk and hour besides its own
   */
  get windows(): number {
    return this.aggregator.heldWindows;
  }

  /** data rows of the object consumed so far, counting skipped ones */
  get endRow(): number {
    return this.row;
  }

  guessedRepeatedHour(): void {
    this.guessedNext = true;
  }

  call(record: CallRecord, _raw: () => string, packed: PackedCall): void {
    const guessed = this.guessedNext;
    this.guessedNext = false;
    if (!this.enter()) return;
    if (guessed) this.repeatedHourGuessed++;
    this.aggregator.add(record, packed);
    this.calls.add(packed);
    const ms = record.startMs;
    this.counted(record.customerId, Math.floor(ms / HOUR_MS), ms, record.callId);
    this.leave();
  }

  /** A call from the parser's fast lane (the reused PackedCall is read, not kept). */
  packed(call: PackedCall): void {
    if (!this.enter()) return;
    this.aggregator.addPacked(call);
    this.calls.add(call);
    this.counted(call.customerId, call.hourIdx, call.startMs, call.callId);
    this.leave();
  }

  quarantine(q: QuarantinedRow): void {
    if (!this.enter()) return;
    this.stats.quarantined++;
    this.unattributed.quarantined(q);
    // the row's id fields, for quarantine show to leave readable while it masks phone numbers
    const line = JSON.stringify({
      line: q.line,
      reason: q.reason,
      raw: q.raw.slice(0, QUARANTINE_RAW_LIMIT),
      ...(q.ids && { ids: q.ids }),
    });
    this.quarantineLines.push(line);
    this.quarantineBytes += line.length + 1;
    this.leave();
  }

  exampleCalls(customerId: string, hourMs: number): string[] {
    return this.examples.get(customerId)?.get(Math.floor(hourMs / HOUR_MS)) ?? [];
  }

  hourSpans(): HourSpan[] {
    return [...this.hours.values()].sort((a, b) => a.hourMs - b.hourMs);
  }

  /** A call of this part, whichever lane it came by: stats, its hour's span, its window's examples. */
  private counted(customerId: string, hourIdx: number, ms: number, callId: string): void {
    const stats = this.stats;
    stats.calls++;
    if (stats.firstMs === null || ms < stats.firstMs) stats.firstMs = ms;
    if (stats.lastMs === null || ms > stats.lastMs) stats.lastMs = ms;
    const span = this.hours.get(hourIdx);
    if (!span) this.hours.set(hourIdx, { hourMs: hourIdx * HOUR_MS, firstMs: ms, lastMs: ms });
    else {
      if (ms < span.firstMs) span.firstMs = ms;
      if (ms > span.lastMs) span.lastMs = ms;
    }
    let byHour = this.examples.get(customerId);
    if (!byHour) {
      byHour = new Map();
      this.examples.set(customerId, byHour);
    }
    let ids = byHour.get(hourIdx);
    if (!ids) {
      ids = [];
      byHour.set(hourIdx, ids);
    }
    if (ids.length < EXAMPLE_CALLS) ids.push(callId);
  }

  quarantineBody(): string {
    return this.quarantineLines.length ? `${this.quarantineLines.join('\n')}\n` : '';
  }

  /** true when this row belongs to the part; throws PartEnd at a recorded end */
  private enter(): boolean {
    const index = this.row;
    if (index < this.bounds.skipRows) {
      this.row++;
      return false;
    }
    if (this.bounds.fixedEndRow !== null && index >= this.bounds.fixedEndRow) throw new PartEnd(index);
    this.row++;
    this.stats.rows++;
    return true;
  }

  private leave(): void {
    if (this.bounds.fixedEndRow !== null) return;
    if (
      this.stats.rows % (this.bounds.checkEveryRows ?? CHECK_EVERY_ROWS) === 0 &&
      this.bounds.shouldCut(this.quarantineBytes, this.windows)
    ) {
      throw new PartEnd(this.row);
    }
  }
}
