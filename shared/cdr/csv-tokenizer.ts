/**
 * Byte-level RFC 4180 tokenizer. It finds field boundaries in the raw bytes and decodes a field to a
 * string only when asked (`field(i)`), so columns nobody reads cost nothing. Handles quoted fields
 * with commas, doubled quotes and newlines, CRLF, a UTF-8 BOM, and records split across chunks.
 * Memory is bounded by `maxRecordBytes` a record, and every bad record is reported on the line it
 * starts on, so every later line number stays exact:
 * - a record with a quoted field longer than MAX_QUOTED_BYTES is too long: reported as such, and
 *   reading resumes after its end;
 * - a record still open past `maxRecordBytes` is too long too: it is read past without being held
 *   (overlong-record.ts) and reading resumes after its end;
 * - a quoted field spanning more than MAX_QUOTED_LINES physical lines, or not closed before the
 *   input ends (or before the record bound, once past its first line), is an unterminated quote that
 *   would swallow the rows after it: reported, and reading resumes on the line after its first.
 */

import { OverlongRecord, UNTERMINATED } from './overlong-record.ts';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export interface CsvRecord {
  /** number of fields */
  readonly count: number;
  /** physical line (1-based) where the record starts */
  readonly line: number;
  field(i: number): string;
  /** the record's text as it appeared (for quarantine), cut to `max` characters */
  raw(max?: number): string;
}

/**
 * The record's field boundaries in its buffer, for readers that work on bytes (the canonical fast
 * path). Valid only during the `record` callback; field i is buf[starts[i], ends[i]), and
 * escaped[i] = 1 when it held doubled quotes (its bytes are then not its value).
 */
export interface CsvRecordBytes extends CsvRecord {
  readonly buf: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly escaped: Uint8Array;
  /** A copy of the record that stays valid after the callback (for a record held back a while). */
  detach(): CsvRecordBytes;
}

export interface CsvSink {
  record(rec: CsvRecordBytes): void;
  /**
   * Optional fast lane: offered every record that starts in a buffer with a newline still ahead, as
   * raw bytes from `pos`. A sink that reads the whole record itself (a plain one-line row) returns
   * the offset just after its newline, and the tokenizer moves on without splitting it; -1 hands
   * the record to the tokenizer as usual (then `record` or `bad` gets it).
   */
  line?(buf: Buffer, pos: number, lineNumber: number): number;
  /** a record that cannot be tokenized (unterminated quote, too long), on the line it starts */
  bad(line: number, reason: string, raw: string): void;
}

/**
 * Fields read of one record: a record with more is quarantined, and a canonical header with more makes
 * the batch unreadable. Far above any CDR export with its extra columns (unknown columns are ignored),
 * it bounds the field index of a record (9 bytes a field) as the record bound bounds its bytes; a
 * record held back (detach) keeps an index only as long as its own fields.
 */
export const MAX_FIELDS = 16_384;
/**
 * a record longer than this (bytes) is quarantined; as a canonical batch's header, it makes the batch
 * unreadable. It bounds what is held of one record, not how long a record may run
 */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/** a quoted field longer than this (bytes) is no value: its record is quarantined as too long */
export const MAX_QUOTED_BYTES = 64 * 1024;
/** a quoted field spanning more physical lines than this is a runaway quote */
export const MAX_QUOTED_LINES = 100;
/** parseRecord's answer for a record that is bad from its first line (runaway quote) */
const RUNAWAY = -2;

/** The reason of a record over the record bound, `bytes` long. */
function recordTooLong(maxRecordBytes: number, bytes: number): string {
  return `record longer than ${maxRecordBytes} bytes (${bytes} bytes)`;
}

/** The reason of a record holding a quoted field of `bytes` bytes (over MAX_QUOTED_BYTES). */
function quotedTooLong(bytes: number): string {
  return `quoted field longer than ${MAX_QUOTED_BYTES} bytes (${bytes} bytes)`;
}

/** The reason of a record of `fields` fields, over MAX_FIELDS. */
function tooManyFields(fields: number): string {
  return `${fields} fields, more than the ${MAX_FIELDS} Traceguard reads of one record (its limit)`;
}

/** Fields from `from` to `end` (a physical line's rest): its commas outside quotes, plus the one they end on. */
function fieldsAfter(buf: Buffer, from: number, end: number): number {
  let fields = 1;
  let quoted = false;
  for (let i = from; i < end; i++) {
    const c = buf[i];
    if (c === QUOTE) quoted = !quoted;
    else if (c === COMMA && !quoted) fields++;
    else if (c === LF || c === CR) break;
  }
  return fields;
}

class RecordView implements CsvRecordBytes {
  buf: Buffer = Buffer.alloc(0);
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly escaped: Uint8Array;
  count = 0;
  line = 0;
  recStart = 0;
  recEnd = 0;
  /** whether every byte of every field is ASCII (then a field's bytes are its characters) */
  private ascii = true;
  /** the record decoded once as latin1, one character per byte, when an ASCII record's field is asked for */
  private text: string | null = null;

  /** `fields`: how many fields the view can index (the tokenizer's view: MAX_FIELDS) */
  constructor(fields = MAX_FIELDS) {
    this.starts = new Int32Array(fields);
    this.ends = new Int32Array(fields);
    this.escaped = new Uint8Array(fields);
  }

  /** Points the view at a record just parsed (starts, ends and escaped are filled in already). */
  set(buf: Buffer, count: number, line: number, recStart: number, recEnd: number, ascii: boolean): void {
    this.buf = buf;
    this.count = count;
    this.line = line;
    this.recStart = recStart;
    this.recEnd = recEnd;
    this.ascii = ascii;
    this.text = null;
  }

  field(i: number): string {
    if (i >= this.count) return '';
    // An ASCII record is decoded once and its fields cut from that text: a native switch row asks
    // for a dozen fields, and decoding each on its own (a call into Node's C++ per field) was a fifth
    // of the general lane's time. ASCII bytes decode the same as UTF-8 and as latin1.
    let s: string;
    if (this.ascii) {
      let text = this.text;
      if (text === null) {
        text = this.buf.toString('latin1', this.recStart, this.recEnd);
        this.text = text;
      }
      s = text.slice(this.starts[i] - this.recStart, this.ends[i] - this.recStart);
    } else s = this.buf.toString('utf8', this.starts[i], this.ends[i]);
    return this.escaped[i] ? s.replaceAll('""', '"') : s;
  }

  detach(): CsvRecordBytes {
    const copy = new RecordView(this.count);
    const from = this.recStart;
    for (let i = 0; i < this.count; i++) {
      copy.starts[i] = this.starts[i] - from;
      copy.ends[i] = this.ends[i] - from;
      copy.escaped[i] = this.escaped[i];
    }
    copy.set(
      Buffer.from(this.buf.subarray(from, this.recEnd)),
      this.count,
      this.line,
      0,
      this.recEnd - from,
      this.ascii,
    );
    return copy;
  }

  raw(max = 2000): string {
    return this.buf
      .toString('utf8', this.recStart, Math.min(this.recEnd, this.recStart + max * 4))
      .slice(0, max);
  }
}

export class CsvTokenizer {
  private readonly sink: CsvSink;
  private readonly maxRecordBytes: number;
  private readonly runawayReason: string;
  private carry: Buffer | null = null;
  private line = 1;
  private started = false;
  /** a record over the bound being read past (not held) to its end */
  private overlong: OverlongRecord | null = null;
  private readonly view = new RecordView();

  constructor(sink: CsvSink, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {
    this.sink = sink;
    this.maxRecordBytes = maxRecordBytes;
    this.runawayReason = `unterminated quoted field (not closed within ${MAX_QUOTED_LINES} lines, ${maxRecordBytes} bytes or the end of the input)`;
  }

  /** physical lines consumed so far (newlines of finished records) */
  get linesRead(): number {
    return this.line - 1;
  }

  /** bytes of a record begun but not finished yet (0 when the input so far ends on a record boundary) */
  get pendingBytes(): number {
    if (this.overlong !== null) return this.overlong.bytes;
    return this.carry ? this.carry.length : 0;
  }

  /**
   * Takes the next bytes. Nothing refers to `chunk` once this returns (a record left open is copied),
   * so a reader may fill the same buffer again for the next call.
   */
  push(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.carry && this.started) {
      // finish the carried record with the new chunk up to its first newline, so the rest of the
      // chunk is parsed in place instead of copied behind the carry
      const nl = chunk.indexOf(LF);
      if (nl !== -1) {
        const head = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
        // -1 (no side effects) when the record is still open past that newline (a quoted newline):
        // then the general path below re-reads it from the carry
        const next = this.parseRecord(head, 0, false);
        // (RUNAWAY: the general path below meets it again and resynchronises)
        if (next >= 0) {
          // the carry held no complete record, so this one ends inside the chunk
          pos = next - this.carry.length;
          this.carry = null;
        }
      }
    }
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    if (!this.started) {
      if (buf.length < 3 && buf[0] === 0xef) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    this.read(buf, pos);
  }

  /** The records of buf from pos; what is left open is carried, or read past when over the bound. */
  private read(input: Buffer, from: number): void {
    let buf = input;
    let pos = from;
    for (;;) {
      if (this.overlong !== null) {
        const after = this.overlong.feed(buf, pos);
        if (after === -1) return;
        const rest = this.endOverlong(after === UNTERMINATED);
        if (rest !== null) {
          buf = rest;
          pos = 0;
        } else pos = after;
      }
      pos = this.records(buf, pos);
      if (pos < 0) return;
    }
  }

  /**
   * Reads the records of buf from `from`: -1 once buf is done (a record left open is carried), or
   * the offset of a record over the bound, which is then this.overlong, to be read past from there.
   */
  private records(buf: Buffer, from: number): number {
    let pos = from;
    const fast = this.sink.line ? this.sink : null;
    // a record starting at or before the last newline has its newline in this buffer
    const lastNl = fast ? buf.lastIndexOf(LF) : -1;
    while (pos < buf.length) {
      if (fast !== null && pos <= lastNl) {
        const after = fast.line?.(buf, pos, this.line) ?? -1;
        if (after >= 0) {
          this.line++;
          pos = after;
          continue;
        }
      }
      const next = this.parseRecord(buf, pos, false);
      if (next === RUNAWAY) {
        pos = this.skipRunaway(buf, pos);
        continue;
      }
      if (next < 0 && buf.length - pos > this.maxRecordBytes) {
        const raw = rawStart(buf, pos);
        this.overlong = new OverlongRecord(this.line, raw, this.maxRecordBytes, MAX_QUOTED_LINES);
        return pos;
      }
      if (next < 0) {
        // a copy: the caller may read its next bytes into the same buffer (see push)
        this.carry = Buffer.from(buf.subarray(pos));
        return -1;
      }
      pos = next;
    }
    return -1;
  }

  /**
   * Reports the record read past: too long, or (`runaway`) an unterminated quote, whose held bytes
   * after its opening line are returned, to be read next; null otherwise.
   */
  private endOverlong(runaway: boolean): Buffer | null {
    const rec = this.overlong;
    if (rec === null) return null;
    this.overlong = null;
    if (runaway) {
      this.sink.bad(rec.line, this.runawayReason, rec.raw);
      this.line = rec.line + 1;
      return rec.resume();
    }
    this.sink.bad(
      rec.line,
      rec.unterminated ? this.readPastReason(rec) : recordTooLong(this.maxRecordBytes, rec.bytes),
      rec.raw,
    );
    this.line = rec.line + rec.lines;
    return null;
  }

  /** The reason of a runaway quote found only once its lines were past the record bound, and read with it. */
  private readPastReason(rec: OverlongRecord): string {
    const lines = rec.inputEnded ? 'to the end of the input' : `to line ${rec.line + rec.lines - 1}`;
    return `${this.runawayReason}; past the ${this.maxRecordBytes}-byte record bound, the lines after its first were read with it, ${lines}`;
  }

  /**
   * Reports the runaway quote starting at `pos` as bad on the line it starts on and returns the offset
   * after that line's newline, where reading resumes (buf holds it: the quote ran past it).
   */
  private skipRunaway(buf: Buffer, pos: number): number {
    const nl = buf.indexOf(LF, pos);
    this.sink.bad(this.line, this.runawayReason, rawStart(buf, pos));
    if (nl === -1) return buf.length;
    this.line++;
    return nl + 1;
  }

  end(): void {
    const rec = this.overlong;
    let buf = this.carry;
    this.carry = null;
    if (rec !== null) {
      // the input ended inside it: read on after its opening line when it was an open quote
      buf = this.endOverlong(rec.endOfInput() && !rec.readPast);
    }
    if (!buf || buf.length === 0) return;
    let pos = 0;
    while (pos < buf.length) {
      let next = this.parseRecord(buf, pos, true);
      if (next === RUNAWAY) next = this.skipRunaway(buf, pos);
      if (next < 0) break;
      pos = next;
    }
  }

  /**
   * Parses one record starting at `start`. Returns the offset after it, -1 when the record is
   * incomplete in this buffer (and `final` is false), or RUNAWAY (nothing reported yet) when a quoted
   * field in it runs past MAX_QUOTED_LINES or, `final`, the end of the input. A record with a quoted
   * field longer than MAX_QUOTED_BYTES is reported bad, as too long, once it has ended.
   */
  private parseRecord(buf: Buffer, start: number, final: boolean): number {
    const v = this.view;
    const len = buf.length;
    let p = start;
    let n = 0;
    let newlines = 0;
    // every field byte OR-ed together: below 0x80, the record is ASCII (RecordView.field)
    let bits = 0;
    // the longest quoted field over MAX_QUOTED_BYTES (0: none)
    let tooLong = 0;
    const firstQuoted = buf[start] === QUOTE;
    for (;;) {
      if (n >= MAX_FIELDS) {
        // absurd column count: report and skip to the end of the physical line
        const nl = buf.indexOf(LF, p);
        if (nl === -1 && !final) return -1;
        const end = nl === -1 ? len : nl + 1;
        this.sink.bad(
          this.line,
          tooManyFields(n + fieldsAfter(buf, p, end)),
          buf.toString('utf8', start, Math.min(end, start + 200)),
        );
        this.line += newlines + 1;
        return end;
      }
      if (buf[p] === QUOTE) {
        const fStart = p + 1;
        let q = fStart;
        let esc = 0;
        let nlInField = 0;
        for (;;) {
          if (q >= len) return final ? RUNAWAY : -1;
          const c = buf[q];
          if (c === QUOTE) {
            if (q + 1 >= len && !final) return -1;
            if (buf[q + 1] === QUOTE) {
              esc = 1;
              q += 2;
              continue;
            }
            break;
          }
          if (c === LF && ++nlInField > MAX_QUOTED_LINES) return RUNAWAY;
          bits |= c;
          q++;
        }
        if (q - fStart > MAX_QUOTED_BYTES && q - fStart > tooLong) tooLong = q - fStart;
        v.starts[n] = fStart;
        v.ends[n] = q;
        v.escaped[n] = esc;
        n++;
        newlines += nlInField;
        p = q + 1;
        // after a closing quote: tolerate garbage up to the delimiter by ignoring it (lenient, like
        // most switch exports), but keep the field as quoted
        while (p < len && buf[p] !== COMMA && buf[p] !== LF) p++;
        if (p >= len && !final) return -1;
      } else {
        let q = p;
        while (q < len) {
          const c = buf[q];
          if (c === COMMA || c === LF) break;
          bits |= c;
          q++;
        }
        if (q >= len && !final) return -1;
        v.starts[n] = p;
        v.ends[n] = q > p && buf[q - 1] === CR && (q >= len || buf[q] === LF) ? q - 1 : q;
        v.escaped[n] = 0;
        n++;
        p = q;
      }
      if (p >= len) break;
      if (buf[p] === COMMA) {
        p++;
        if (p >= len) {
          if (!final) return -1;
          v.starts[n] = p;
          v.ends[n] = p;
          v.escaped[n] = 0;
          n++;
          break;
        }
        continue;
      }
      // LF ends the record (a CR before it was already trimmed from the last field)
      p++;
      break;
    }
    if (tooLong > 0) {
      this.sink.bad(this.line, quotedTooLong(tooLong), rawStart(buf, start));
      this.line += newlines + 1;
      return p;
    }
    v.set(buf, n, this.line, start, p, bits < 0x80);
    this.line += newlines + 1;
    // a blank line (only CR/LF) is not a record; a lone quoted empty field ("") is
    if (!(n === 1 && v.ends[0] === v.starts[0] && !firstQuoted)) this.sink.record(v);
    return p;
  }
}

/** The first bytes of a record starting at `pos`, up to its first line end: its quarantine entry's raw text. */
function rawStart(buf: Buffer, pos: number): string {
  const nl = buf.indexOf(LF, pos);
  return buf.toString('utf8', pos, Math.min(nl === -1 ? buf.length : nl, pos + 200));
}
