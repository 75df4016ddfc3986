import type { CustomerAttribution } from './attribution.ts';
import {
  crLineEnds,
  isBlankRecord,
  LAYOUT_BYTES,
  LAYOUT_RECORDS,
  layoutOfMost,
  type NativeLayout,
  nativeLayoutOfRecord,
  notCsvHeader,
  notText,
  otherLayout,
  SAMPLE_BYTES,
  startsJsonLines,
} from './batch-lead.ts';
import { ByteInterner } from './byte-intern.ts';
import { CrLineEnds } from './cr-lines.ts';
import {
  type CsvRecord,
  type CsvRecordBytes,
  CsvTokenizer,
  DEFAULT_MAX_RECORD_BYTES,
} from './csv-tokenizer.ts';
import { asteriskCreatedMs, asteriskIdFields, asteriskRow } from './formats/asterisk.ts';
import {
  type ColumnMap,
  canonicalRow,
  headerNames,
  idFieldsOf,
  isCanonicalHeader,
  mapHeader,
  namesColumns,
  sourceColumnsOf,
} from './formats/canonical-csv.ts';
import { CanonicalFastReader } from './formats/canonical-fast.ts';
import { FREESWITCH_COLUMNS, FREESWITCH_ID_FIELDS, freeswitchRow } from './formats/freeswitch.ts';
import { jsonRow } from './formats/jsonl.ts';
import { JSONL_COLUMN_MAP, JSONL_WIDTH, JsonLinesFastReader } from './formats/jsonl-fast.ts';
import { normalizeCall } from './normalize.ts';
import { PackedBlock } from './packed-block.ts';
import { PackedCall, packRecord } from './packed-call.ts';
import { defaultPlausibility, type Plausibility } from './plausibility.ts';
import { CANONICAL_SOURCE, type RawCall, type SourceColumns } from './raw-call.ts';
import { idHash, partyHash, RecentCalls, type RecentEnds } from './recent-calls.ts';
import type { CallRecord, IdFields, QuarantinedRow } from './record.ts';
import { RepeatedHour } from './repeated-hour.ts';
import type { ZoneClock } from './time.ts';
import { ByteTimeParser } from './time-bytes.ts';

export const INPUT_FORMATS = ['auto', 'canonical', 'jsonl', 'asterisk', 'freeswitch'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type DetectedFormat = Exclude<InputFormat, 'auto'>;

/**
 * What made a batch unreadable, so each caller names the fix it has: `gzip` the bytes (cut short or
 * not gzip), `file` not CDRs at all (binary, too big), `zone` local times with no zone given (analyze
 * takes --timezone, a switch its configuration), `layout` the rest (header, format).
 */
export type BatchReadKind = 'gzip' | 'file' | 'zone' | 'layout';

/** A batch that cannot be read at all. It fails loudly and stays retryable; nothing is half-counted. */
export class BatchReadError extends Error {
  override name = 'BatchReadError';
  readonly kind: BatchReadKind;
  constructor(message: string, options: ErrorOptions & { kind?: BatchReadKind } = {}) {
    super(message, options);
    this.kind = options.kind ?? 'layout';
  }
}

export interface ParseOptions {
  /** names the batch in every message (file path or s3 key) */
  source: string;
  format?: InputFormat;
  /** zone for local wall-clock times (native formats, ISO times without offset) */
  zone?: ZoneClock | null;
  maxRecordBytes?: number;
  /** who a native row's call belongs to when its accountcode is empty (the switch's trunk map) */
  attribution?: CustomerAttribution;
  /** bounds on times and durations (default: 2000-01-01 to now + 1 day, 24 h) */
  plausibility?: Plausibility;
  /**
   * Whether the batch's lines end in a bare CR, when that is known beforehand; otherwise it is
   * decided from its first line. A byte range of a batch gets the batch's answer: its own first line
   * is a row from the middle, which may hold a stray CR.
   */
  crLineEnds?: boolean;
  /**
   * A reader of one byte range of the batch: keeps its first calls for recentEnds(), so that a repeat
   * across ranges can be found (RecentEnds)
   */
  range?: boolean;
  /**
   * The batch may grow (ingest: a switch uploads its day file again as it grows): a row after its last
   * line end, written last and with no line end after it, may have been cut short by an upload that
   * caught the switch writing it, and is quarantined as such (OPEN_LAST_ROW) instead of read: the next
   * upload of the grown file under its key reads it again, complete. Otherwise (analyze, reading a file
   * once) it is read as it stands, as most files without a final line end are complete.
   */
  holdOpenLastRow?: boolean;
}

/**
 * The reason of a last row held back (ParseOptions.holdOpenLastRow): what happened, and what brings
 * the call in, for a file still growing and for one complete without a final line end.
 */
export const OPEN_LAST_ROW =
  'last row without a line end: it may have been cut short by an upload that caught the switch writing it, so it is not counted from this upload; ' +
  'the next upload of the grown file under this key reads it again, complete (a file that was complete: upload it again under this key with a line end after this row)';

export interface BatchSink {
  /**
   * `raw` returns the row as the switch wrote it (evidence for tracebacks); call it only when needed.
   * `packed` is the record as the fast lane would have packed it (packRecord, with its hashes), which
   * the reader made for its repeat check: reused for the next row, so read it now or not at all.
   */
  call(record: CallRecord, raw: () => string, packed: PackedCall): void;
  quarantine(row: QuarantinedRow): void;
  /**
   * Optional: the call handed to `call` next is one of BatchStats.repeatedHourGuessed (its start was in
   * the hour a clock change repeats and read as the first): for a sink that counts part of a batch.
   */
  guessedRepeatedHour?(): void;
  /**
   * Optional fast lane for sinks that only aggregate: when present, canonical CSV rows in the common
   * shape arrive here as one reused PackedCall (copy what you keep) instead of through `call`; every
   * other row still comes through `call` or `quarantine`. Same rows, same normalization, same stats.
   * Packed rows are handed over a block (512 rows) at a time (packed-block.ts), so they may arrive
   * some pushes after the bytes that held them, but always in input order: before any later `call`
   * or `quarantine`, and all of them by the time end() returns.
   */
  packed?(call: PackedCall): void;
  /**
   * Whether packed rows carry their call id (PackedCall.callId). Off unless asked: a string per row
   * is work a sink that only aggregates does without.
   */
  readonly packedCallIds?: boolean;
  /**
   * Whether packed rows carry their source address (PackedCall.sourceIpV4); off unless asked: only
   * customers that declared their addresses have calls checked against them.
   */
  readonly packedSourceIps?: boolean;
}

export interface BatchStats {
  source: string;
  format: DetectedFormat | 'empty';
  /** data rows seen (header excluded); always rows = calls + quarantined */
  rows: number;
  calls: number;
  quarantined: number;
  /**
   * the line of the batch's last row when no line end follows it (the rows read from its last line
   * end on: one, or those of a quoted field left open); null when the batch ends with a line end
   */
  openLastRowLine: number | null;
  /** rows of `quarantined` held back as possibly cut short (ParseOptions.holdOpenLastRow): those rows */
  heldBack: number;
  /**
   * calls (of `calls`) whose local start_time was in the hour a clock change repeats, with nothing in
   * the row to tell which of its two instants: read as the first (repeated-hour.ts)
   */
  repeatedHourGuessed: number;
  firstStartMs: number | null;
  lastStartMs: number | null;
}

const RAW_LIMIT = 2000;

/** the reason of a canonical batch's header line met again among its rows */
const REPEATED_HEADER = 'repeats the header (files concatenated?)';

/**
 * What tells one header line from another for the rows after it: its names as written (the order
 * and the columns they map to, and the names a row's reasons give them).
 */
function headerKey(rec: CsvRecord): string {
  const names: string[] = [];
  for (let i = 0; i < rec.count; i++) names.push(rec.field(i).trim());
  return JSON.stringify(names);
}

/** A record the tokenizer could not read (too long, an unterminated quote), held while the layout is told. */
interface BadRecord {
  line: number;
  reason: string;
  raw: string;
}

/** The error of a batch whose header lacks required columns. */
function headerLacks(source: string, line: number, missing: readonly string[]): BatchReadError {
  return new BatchReadError(`${source}: line ${line}: header lacks required column(s) ${missing.join(', ')}`);
}

/**
 * Push-based parser for one batch: feed decoded bytes with push(), then end(). Detects the format
 * from the first record (a headerless batch's layout from its first few, decideLayout), maps rows to
 * raw calls, normalizes them, and routes every row either to `sink.call` or `sink.quarantine` with
 * its line number and reason: rows in = calls + quarantined.
 */
export class BatchParser {
  private readonly opts: ParseOptions;
  private readonly sink: BatchSink;
  private readonly zone: ZoneClock | null;
  private readonly limits: Plausibility;
  private format: DetectedFormat | null = null;
  private tokenizer: CsvTokenizer | null = null;
  private columns: ColumnMap = {};
  /** what a row's reasons call each column (sourceColumnsOf) */
  private sourceColumns: SourceColumns = CANONICAL_SOURCE;
  private width = 0;
  /**
   * the header the rows are read by (headerKey): the batch's first, or one met again among its rows
   * (files concatenated), which may name the columns in another order; null after one that cannot be
   * read by (see headerAgain)
   */
  private header: string | null = '';
  /** the batch's first header (headerKey) */
  private firstHeader = '';
  /** why a row is not read, after a header again that lacks required columns (else null) */
  private noColumns: string | null = null;
  /** the canonical fast lane, kept while a header again that cannot be read by turns it off (fast = null) */
  private canonicalFast: CanonicalFastReader | null = null;
  /**
   * a headerless batch's first records (auto), held until its layout is decided (decideLayout), with
   * the layout of each and their bytes
   */
  private held: Array<CsvRecordBytes | BadRecord> | null = null;
  private heldLayouts: Array<NativeLayout | null> = [];
  /** of each held record, whether it was read after the batch's last line end (afterLastLineEnd) */
  private heldOpen: boolean[] = [];
  /**
   * set while the rows the readers still hold at the batch's end are read: none of them has a line
   * end after it (their record was not closed when the input ended)
   */
  private afterLastLineEnd = false;
  private heldBytes = 0;
  /** the batch's first bytes until its first line has ended (see push) */
  private lead: Buffer | null = null;
  /** set for a batch whose lines end in a bare CR: its chunks are read with LF line ends */
  private crLines: CrLineEnds | null = null;
  private jsonCarry: Buffer | null = null;
  private jsonLine = 1;
  /** inside a JSON Lines line already quarantined as too long: skip to its newline */
  private jsonSkipping = false;
  private readonly stats: BatchStats;
  private fast: CanonicalFastReader | null = null;
  private readonly packedCall = new PackedCall();
  /** a general-lane record packed for the repeat check (packRecord) */
  private readonly recordPacked = new PackedCall();
  /** fast-lane rows not yet handed to sink.packed (see flushPacked) */
  private block: PackedBlock | null = null;
  private readonly toSink = (c: PackedCall): void => this.sink.packed?.(c);
  /** how a start in the hour a clock change repeats is read, and whether the last row's was a guess */
  private repeatedHour = new RepeatedHour();
  /** the calls read lately, so that a repeated row counts once (recent-calls.ts) */
  private readonly recent: RecentCalls;

  constructor(opts: ParseOptions, sink: BatchSink) {
    this.opts = opts;
    this.sink = sink;
    this.zone = opts.zone ?? null;
    this.limits = opts.plausibility ?? defaultPlausibility();
    this.recent = new RecentCalls({ keepHead: opts.range === true });
    this.stats = {
      source: opts.source,
      format: 'empty',
      rows: 0,
      calls: 0,
      quarantined: 0,
      openLastRowLine: null,
      heldBack: 0,
      repeatedHourGuessed: 0,
      firstStartMs: null,
      lastStartMs: null,
    };
  }

  /**
   * The batch's next decoded bytes. Nothing refers to `chunk` once this returns (a row left open is
   * copied), so a reader may fill the same buffer again for the next call (the command line reads
   * plain files so; a fresh buffer per chunk left tens of MB of freed chunks with the allocator).
   */
  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.format === null && this.tokenizer === null) {
      // the format shows at the first byte past a byte-order mark and blank space, the line ends at
      // the end of the first line: the bytes before it wait (copied), so a batch that arrives a few
      // bytes at a time reads as it does whole
      bytes = this.lead ? Buffer.concat([this.lead, chunk]) : chunk;
      if (crLineEnds(bytes) === null) {
        this.lead = Buffer.from(bytes);
        return;
      }
      this.lead = null;
      this.begin(bytes);
    }
    this.feed(bytes);
  }

  /** The bytes to their reader, with LF for the bare CRs of a batch that ends its lines so. */
  private feed(bytes: Buffer): void {
    this.route(this.crLines === null ? bytes : this.crLines.push(bytes));
  }

  private route(bytes: Buffer): void {
    if (this.format === 'jsonl') this.pushJson(bytes, false);
    else this.tokenizer?.push(bytes);
  }

  /**
   * Where the input pushed so far ends: physical lines of finished records, and bytes of a record
   * still open. A reader of the first byte range of a batch ends on a record boundary only when
   * `pendingBytes` is 0 before end() (a range cut inside a quoted field leaves the record open).
   */
  position(): { linesRead: number; pendingBytes: number; firstHeader: boolean } {
    if (this.format === 'jsonl')
      return {
        linesRead: this.jsonLine - 1,
        pendingBytes: this.jsonCarry ? this.jsonCarry.length : 0,
        firstHeader: true,
      };
    return {
      linesRead: this.tokenizer?.linesRead ?? 0,
      pendingBytes: this.tokenizer?.pendingBytes ?? 0,
      // a range after this one gets the batch's first header: it reads its rows right only if that
      // is the header in force here (not one met again in another order, see headerAgain)
      firstHeader: this.header === this.firstHeader,
    };
  }

  /** whether the batch's format is decided (its header, or first line, read in full) */
  get formatDecided(): boolean {
    return this.format !== null;
  }

  end(): BatchStats {
    if (this.lead) {
      // nothing but blank space (and a byte-order mark), or one line: read as it would have been
      const lead = this.lead;
      this.lead = null;
      this.begin(lead, true);
      this.feed(lead);
    }
    const held = this.crLines?.end();
    if (held !== undefined && held.length > 0) this.route(held);
    // what the readers hold now was never closed by a line end: the batch's last row (openRow)
    this.afterLastLineEnd = true;
    if (this.format === 'jsonl') this.pushJson(Buffer.alloc(0), true);
    else this.tokenizer?.end();
    this.afterLastLineEnd = false;
    // a batch of fewer records than tell a layout: told by those it has
    if (this.held !== null) this.decideLayout();
    this.flushPacked();
    this.stats.format = this.format ?? 'empty';
    return { ...this.stats };
  }

  /** Decides the batch's format (and line ends) from its first bytes; `whole`: they are all of it. */
  private begin(chunk: Buffer, whole = false): void {
    const want = this.opts.format ?? 'auto';
    const sample = chunk.subarray(0, SAMPLE_BYTES);
    const why = notText(sample);
    if (why !== null)
      throw new BatchReadError(`${this.opts.source}: not a text file (${why})`, { kind: 'file' });
    // decided once for the batch: a first line end that is a bare CR (classic Mac) means lines end so,
    // and its CRs are read as LF; a CRLF or LF batch is read as it is, at no cost per byte
    if (this.opts.crLineEnds ?? crLineEnds(chunk, whole) === true) this.crLines = new CrLineEnds();
    if (want === 'jsonl' || (want === 'auto' && startsJsonLines(sample))) {
      this.format = 'jsonl';
      return;
    }
    this.tokenizer = new CsvTokenizer(
      {
        record: (rec) => this.onCsvRecord(rec),
        line: (buf, pos, line) => this.fastLine(buf, pos, line),
        bad: (line, reason, raw) => this.quarantine(line, reason, raw),
      },
      this.opts.maxRecordBytes,
    );
  }

  /**
   * Decides the batch's format at its first non-blank record, or holds the record while a headerless
   * batch's layout is told (auto); true when the record is no data row here (a header, blank, held).
   */
  private detect(rec: CsvRecordBytes): boolean {
    // a line of nothing but spaces or tabs before the first real one (an export job's padding, a
    // file of spaces) decides nothing: skipped like a blank line, so a file of them is an empty batch
    if (isBlankRecord(rec)) return true;
    const want = this.opts.format ?? 'auto';
    const names = this.held === null ? headerNames(rec) : [];
    const src = this.opts.source;
    if (want === 'canonical' || (want === 'auto' && this.held === null && isCanonicalHeader(names))) {
      const { map, missing, twice } = mapHeader(names);
      if (missing.length > 0) throw this.noHeader(rec, names, want === 'canonical');
      if (twice.length > 0)
        throw new BatchReadError(`${src}: line ${rec.line}: header names ${twice.join('; ')}`);
      this.format = 'canonical';
      if (this.sink.packed) {
        this.canonicalFast = this.fastReader(map, rec.count);
        this.block = new PackedBlock();
      }
      this.useHeader(rec, map);
      this.firstHeader = headerKey(rec);
      return true; // the header is not a data row
    }
    if (want === 'asterisk' || want === 'freeswitch') {
      this.useNative(want);
      return false;
    }
    const copy = rec.detach();
    this.hold(copy, nativeLayoutOfRecord(copy), copy.buf.length);
    return true;
  }

  /**
   * One of a headerless batch's first records, held (auto) until LAYOUT_RECORDS of them, or
   * LAYOUT_BYTES, tell its layout. Nothing per byte: only a batch's first records come here.
   */
  private hold(rec: CsvRecordBytes | BadRecord, layout: NativeLayout | null, bytes: number): void {
    this.held ??= [];
    this.held.push(rec);
    this.heldLayouts.push(layout);
    this.heldOpen.push(this.afterLastLineEnd);
    this.heldBytes += bytes;
    if (this.held.length >= LAYOUT_RECORDS || this.heldBytes >= LAYOUT_BYTES) this.decideLayout();
  }

  /**
   * The layout most of the held records have (layoutOfMost), and then those records read as its rows,
   * in order: a record of another layout is quarantined with its reason. A batch none of whose first
   * records has a native layout is no CDR batch: refused, saying what its first record is instead.
   */
  private decideLayout(): void {
    const held = this.held ?? [];
    const open = this.heldOpen;
    const native = layoutOfMost(this.heldLayouts);
    this.held = null;
    this.heldLayouts = [];
    this.heldOpen = [];
    if (native === null) throw this.notABatch(held[0]);
    this.useNative(native);
    // each one read as where it stood: a held record may be the batch's last, with no line end
    const after = this.afterLastLineEnd;
    held.forEach((rec, i) => {
      this.afterLastLineEnd = open[i];
      if ('count' in rec) this.onCsvRecord(rec);
      else this.quarantine(rec.line, rec.reason, rec.raw);
    });
    this.afterLastLineEnd = after;
  }

  /** The error of a batch whose first record is neither a canonical header nor a native row, nor are those after it. */
  private notABatch(first: CsvRecord | BadRecord): BatchReadError {
    if (!('count' in first)) return this.unreadableHeader(first, true);
    return this.noHeader(first, headerNames(first), false);
  }

  /**
   * The error of a batch whose first record, its header if it is a canonical CSV, cannot be read
   * (too long, an unterminated quote); `auto`: nor does a native row follow it.
   */
  private unreadableHeader(bad: BadRecord, auto: boolean): BatchReadError {
    const where = `${this.opts.source}: line ${bad.line}`;
    return new BatchReadError(
      auto
        ? `${where}: not a CDR batch: ${bad.reason}, so no header can be read, and no Asterisk or FreeSWITCH row follows it`
        : `${where}: the header cannot be read: ${bad.reason}`,
    );
  }

  /** The batch is of a native layout: its times are local, read in the zone the switch is configured with. */
  private useNative(native: NativeLayout): void {
    this.format = native;
    // Asterisk's uniqueid tells the instant it made the call; FreeSWITCH's default template has no such column
    if (native === 'asterisk') this.repeatedHour = new RepeatedHour(asteriskCreatedMs);
    if (!this.zone) {
      throw new BatchReadError(
        `${this.opts.source}: ${native} CDRs carry local wall-clock times; give their time zone`,
        { kind: 'zone' },
      );
    }
  }

  /**
   * The error for a first line that is no usable canonical header (nor, detected, a native layout):
   * what the batch is instead when its first line shows it, else the columns it lacks. `forced`: the
   * format is set to canonical, so the batch was never tried as JSON Lines or a native layout, and
   * one of those is named too rather than a header lacking every column.
   */
  private noHeader(rec: CsvRecord, names: string[], forced: boolean): BatchReadError {
    const src = this.opts.source;
    // what the first line is instead, when it shows: a JSON array, another separator
    const instead = notCsvHeader(rec.raw(SAMPLE_BYTES), rec.count);
    if (instead !== null) return new BatchReadError(`${src}: line ${rec.line}: not a CDR batch: ${instead}`);
    const other = forced ? otherLayout(rec) : null;
    if (other !== null)
      return new BatchReadError(
        `${src}: line ${rec.line}: the format is canonical, but the batch looks like ${other}`,
      );
    // a header of canonical names without call_id or start_time: say which are missing
    const { map, missing } = mapHeader(names);
    if (forced || Object.keys(map).length >= 2) return headerLacks(src, rec.line, missing);
    return new BatchReadError(
      `${src}: line ${rec.line}: not a CDR batch: no CSV header (it names no column Traceguard knows: call_id, start_time, ...) and not an Asterisk or FreeSWITCH layout (${rec.count} ${rec.count === 1 ? 'field' : 'fields'})`,
    );
  }

  /** The rows from here on are read by this header's columns (the batch's first, or one again). */
  private useHeader(rec: CsvRecord, map: ColumnMap): void {
    this.columns = map;
    this.sourceColumns = sourceColumnsOf(rec, map);
    this.width = rec.count;
    this.header = headerKey(rec);
    this.noColumns = null;
    this.canonicalFast?.columns(map, rec.count);
    this.fast = this.canonicalFast;
  }

  /**
   * Whether a canonical row that could not be read is a header line again (files concatenated): two
   * or more of its fields name canonical columns, by the names the first header is read by. It is
   * quarantined (a row like any: rows = calls + quarantined), and the rows after it are read by its
   * columns, in whatever order it names them, as the export it heads wrote them. When it lacks a
   * required column, or names one twice, no row after it can be read: they are quarantined, saying
   * so, up to a header that can be read by. Asked only of a row already refused: a header's
   * start_time column holds a name, never a time, in any order, so it never reads as a call.
   */
  private headerAgain(rec: CsvRecord): boolean {
    if (this.format !== 'canonical') return false;
    const names = headerNames(rec);
    if (!namesColumns(names)) return false;
    const { map, missing, twice } = mapHeader(names);
    let reason = REPEATED_HEADER;
    if (missing.length > 0 || twice.length > 0) {
      const lack =
        missing.length > 0 ? `lacks required column(s) ${missing.join(', ')}` : `names ${twice.join('; ')}`;
      reason = `${REPEATED_HEADER}, but ${lack}: the rows up to the next header are quarantined`;
      this.noColumns = `follows a repeated header that ${lack}, so its columns are not known`;
      this.header = null;
      // the fast lane would read the rows by the columns before
      this.fast = null;
    } else this.useHeader(rec, map);
    this.quarantineRow(rec.line, reason, rec.raw(RAW_LIMIT));
    return true;
  }

  /** A canonical fast reader for rows of `width` columns laid out as `map` says. */
  private fastReader(map: ColumnMap, width: number): CanonicalFastReader {
    const { earliestMs, latestMs, maxDurationS } = this.limits;
    const times = new ByteTimeParser(earliestMs, latestMs, this.zone);
    return new CanonicalFastReader(map, width, new ByteInterner(), times, maxDurationS, {
      callIds: this.sink.packedCallIds === true,
      sourceIps: this.sink.packedSourceIps === true,
    });
  }

  private onCsvRecord(rec: CsvRecordBytes): void {
    if (this.format === null && this.detect(rec)) return;
    this.stats.rows++;
    if (this.openRow(rec.line, () => rec.raw(RAW_LIMIT))) return;
    if (this.noColumns !== null) {
      if (!this.headerAgain(rec)) this.quarantineRow(rec.line, this.noColumns, rec.raw(RAW_LIMIT));
      return;
    }
    let raw: RawCall;
    try {
      raw =
        this.format === 'canonical'
          ? canonicalRow(rec, this.columns, this.width, this.sourceColumns)
          : this.format === 'asterisk'
            ? asteriskRow(rec, this.opts.attribution)
            : freeswitchRow(rec, this.opts.attribution);
    } catch (e) {
      // a header again of another width than the one in force
      if (!this.headerAgain(rec))
        this.quarantineRow(rec.line, (e as Error).message, rec.raw(RAW_LIMIT), rec.count);
      return;
    }
    this.emit(raw, rec.line, () => rec.raw(RAW_LIMIT), rec);
  }

  /** Hands the fast-lane rows read so far to sink.packed, in order. */
  private flushPacked(): void {
    if (this.block !== null && this.block.size > 0) this.block.drain(this.toSink);
  }

  /** A row became a call (either lane): counted, and the batch's time span widened to its start. */
  private countCall(startMs: number): void {
    const stats = this.stats;
    stats.calls++;
    if (stats.firstStartMs === null || startMs < stats.firstStartMs) stats.firstStartMs = startMs;
    if (stats.lastStartMs === null || startMs > stats.lastStartMs) stats.lastStartMs = startMs;
  }

  /** The canonical fast lane (formats/canonical-fast.ts) on one row, once the header is known. */
  private fastLine(buf: Buffer, pos: number, line: number): number {
    const fast = this.fast;
    if (fast === null) return -1;
    const next = fast.readLine(buf, pos, line, this.packedCall);
    if (next < 0) return -1;
    this.tookPacked(buf, pos, next, false);
    return next;
  }

  /**
   * A row the fast lane read into packedCall from buf[from, to): counted, and held for sink.packed,
   * unless it repeats a call read lately (repeated). Its raw text is what the general lane would quote:
   * a CSV record with its line end, a JSON Lines line trimmed.
   */
  private tookPacked(buf: Buffer, from: number, to: number, json: boolean): void {
    const call = this.packedCall;
    this.stats.rows++;
    const first = this.recent.repeatOf(call);
    if (first !== 0) {
      const raw = json
        ? buf.toString('utf8', from, to).trim().slice(0, RAW_LIMIT)
        : buf.toString('utf8', from, Math.min(to, from + RAW_LIMIT));
      // the fast lane reads a CSV row only when it has the header's fields
      this.repeated(call.line, first, raw, json ? undefined : this.width);
      return;
    }
    this.countCall(call.startMs);
    if (this.block?.add(call)) this.flushPacked();
  }

  /**
   * A row that repeats the call first read at line `first`: quarantined, so the call counts once and
   * the repeat is still kept where a person can see it.
   */
  private repeated(line: number, first: number, raw: string, fields: number | undefined): void {
    // told as a distance: a reader of a byte range numbers lines from its start, and the caller moves
    // the row's own line, not the words of its reason
    this.quarantineRow(
      line,
      `repeats the call ${line - first} line(s) above (same call_id, customer, trunk, numbers, start_time, duration and result): counted once`,
      raw,
      fields,
    );
  }

  private jsonFast: JsonLinesFastReader | null | undefined;

  /** The JSON Lines fast lane, made at the first line, when the sink takes fast-lane rows (else null). */
  private jsonFastReader(): JsonLinesFastReader | null {
    if (this.jsonFast !== undefined) return this.jsonFast;
    this.jsonFast = null;
    if (this.sink.packed) {
      this.fast = this.fastReader(JSONL_COLUMN_MAP, JSONL_WIDTH);
      this.jsonFast = new JsonLinesFastReader(this.fast);
      this.block = new PackedBlock();
    }
    return this.jsonFast;
  }

  /**
   * JSON Lines: one line, one row. A line longer than maxRecordBytes is one quarantined row, whether
   * it arrives in one chunk or many: its rest is skipped up to its newline (jsonSkipping), never read
   * as rows of its own.
   */
  private pushJson(chunk: Buffer, final: boolean): void {
    let buf = chunk;
    if (this.jsonSkipping) {
      const nl = chunk.indexOf(10);
      if (nl === -1) return;
      this.jsonSkipping = false;
      buf = chunk.subarray(nl + 1);
    }
    const carry = this.jsonCarry;
    this.jsonCarry = null;
    if (carry !== null && carry.length > 0) {
      // the line the last chunk left open, completed by this chunk's first line: only that is copied,
      // and the rest of the chunk is read where it is (a copy of every chunk whole kept a reader's
      // memory growing by its chunks until a collection: 1M rows, 50-60 MB more peak RSS)
      const nl = buf.indexOf(10);
      if (nl === -1) {
        this.jsonLines(Buffer.concat([carry, buf]), final);
        return;
      }
      this.jsonLines(Buffer.concat([carry, buf.subarray(0, nl + 1)]), false);
      this.jsonCarry = null;
      buf = buf.subarray(nl + 1);
    }
    this.jsonLines(buf, final);
  }

  /** The JSON Lines in `buf`; a line left open at its end is kept for the next chunk (unless `final`). */
  private jsonLines(buf: Buffer, final: boolean): void {
    const max = this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    let pos = 0;
    for (;;) {
      let nl = buf.indexOf(10, pos);
      if (nl === -1) {
        if (!final && buf.length - pos <= max) {
          this.jsonCarry = Buffer.from(buf.subarray(pos));
          return;
        }
        if (pos >= buf.length) return;
        if (!final) this.jsonSkipping = true;
        nl = buf.length;
      }
      const line = this.jsonLine++;
      const from = pos;
      pos = nl + 1;
      if (nl - from > max) {
        this.stats.rows++;
        const raw = () => buf.toString('utf8', from, from + 200);
        if (this.openRow(line, raw)) continue;
        this.quarantineRow(line, `record longer than ${max} bytes`, raw());
        if (this.jsonSkipping) return;
        continue;
      }
      // the fast lane first (see formats/jsonl-fast.ts), as fastLine does for CSV rows; a line
      // without a line end is read by the general lane, which may hold it back (openRow)
      const fast = this.afterLastLineEnd ? null : this.jsonFastReader();
      if (fast?.read(buf, from, nl, line, this.packedCall)) {
        this.tookPacked(buf, from, nl, true);
        if (pos >= buf.length && final) return;
        continue;
      }
      const text = buf.toString('utf8', from, nl).trim();
      if (text !== '') {
        this.stats.rows++;
        if (this.openRow(line, () => text.slice(0, RAW_LIMIT))) continue;
        let raw: RawCall;
        try {
          raw = jsonRow(text);
        } catch (e) {
          this.quarantineRow(line, (e as Error).message, text.slice(0, RAW_LIMIT));
          continue;
        }
        this.emit(raw, line, () => text.slice(0, RAW_LIMIT));
      }
      if (pos >= buf.length && final) return;
    }
  }

  /** `csv`: the CSV record the row was read from, to tell a header line again from a bad row */
  private emit(raw: RawCall, line: number, rawText: () => string, csv?: CsvRecord): void {
    let rec: CallRecord;
    try {
      rec = normalizeCall(raw, line, this.zone, this.limits, this.repeatedHour);
    } catch (e) {
      if (e instanceof Error && e.name === 'RowError') {
        if (csv === undefined || !this.headerAgain(csv))
          this.quarantineRow(line, e.message, rawText(), csv?.count);
        return;
      }
      throw e;
    }
    // the record as the fast lane would have packed it, with the hashes it takes while reading
    const packed = packRecord(rec, this.recordPacked);
    packed.callIdHash = idHash(rec.callId);
    packed.partyHash = partyHash(idHash(rec.customerId), idHash(rec.trunkId));
    const first = this.recent.repeatOf(packed);
    if (first !== 0) {
      this.repeated(line, first, rawText(), csv?.count);
      return;
    }
    this.countCall(rec.startMs);
    this.flushPacked();
    if (this.repeatedHour.guessed) {
      this.stats.repeatedHourGuessed++;
      this.sink.guessedRepeatedHour?.();
    }
    this.sink.call(rec, rawText, packed);
  }

  /** The first and last calls this reader remembers (a range reader's, see ParseOptions.range). */
  recentEnds(): RecentEnds {
    return this.recent.ends();
  }

  /** tokenizer-level failures: a row was seen but could not even be split into fields */
  private quarantine(line: number, reason: string, raw: string): void {
    if (this.format === null && this.tokenizer) {
      // before the format is decided: a native row like any (its layout given or told by the rows
      // after it), but a canonical batch's header
      const want = this.opts.format ?? 'auto';
      if (want === 'auto') {
        this.hold({ line, reason, raw }, null, 0);
        return;
      }
      if (want === 'canonical') throw this.unreadableHeader({ line, reason, raw }, false);
      if (want === 'asterisk' || want === 'freeswitch') this.useNative(want);
    }
    this.stats.rows++;
    if (this.openRow(line, () => raw)) return;
    this.quarantineRow(line, reason, raw);
  }

  /**
   * A row read after the batch's last line end (its last row, no line end after it) is noted, and,
   * when the batch may grow (holdOpenLastRow), quarantined as possibly cut short: true, read no
   * further. Asked of every data row once it is counted in `rows`, before it is read.
   */
  private openRow(line: number, raw: () => string): boolean {
    if (!this.afterLastLineEnd) return false;
    this.stats.openLastRowLine ??= line;
    if (this.opts.holdOpenLastRow !== true) return false;
    this.stats.heldBack++;
    this.quarantineRow(line, OPEN_LAST_ROW, raw());
    return true;
  }

  /** `fields`: how many fields the CSV row split into, when it did (its ids are then told: IdFields) */
  private quarantineRow(line: number, reason: string, raw: string, fields?: number): void {
    this.stats.quarantined++;
    this.flushPacked();
    const ids = fields === undefined ? undefined : this.idFields(fields);
    this.sink.quarantine(ids === undefined ? { line, reason, raw } : { line, reason, raw, ids });
  }

  /** Which fields of a CSV row of `fields` fields hold ids, as the batch's layout places them. */
  private idFields(fields: number): IdFields | undefined {
    const at =
      this.format === 'canonical'
        ? fields === this.width
          ? idFieldsOf(this.columns)
          : []
        : this.format === 'asterisk'
          ? asteriskIdFields(fields)
          : this.format === 'freeswitch' && fields === FREESWITCH_COLUMNS
            ? [...FREESWITCH_ID_FIELDS]
            : [];
    return at.length === 0 ? undefined : { fields, at };
  }
}
