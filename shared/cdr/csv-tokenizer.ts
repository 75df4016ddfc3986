/**
 * Byte-level RFC 4180 tokenizer. It finds field boundaries in the raw bytes and decodes a field to a
 * string only when asked (`field(i)`), so columns nobody reads cost nothing. Handles quoted fields
 * with commas, doubled quotes and newlines, CRLF, a UTF-8 BOM, and records split across chunks.
 * Memory is bounded: a record longer than `maxRecordBytes`, or a quoted field longer than
 * MAX_QUOTED_BYTES or spanning more than MAX_QUOTED_LINES physical lines (an unterminated quote that
 * would swallow the rows after it), is reported as bad from the line it starts on, and reading
 * resumes at the next line boundary after that line, so every later line number stays exact.
 */

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
  /** a record that cannot be tokenized (unterminated quote, over-long record), on the line it starts */
  bad(line: number, reason: string, raw: string): void;
}

const MAX_FIELDS = 512;
/** a record longer than this (bytes) is quarantined, or, as a batch's first line, makes it unreadable */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/** a quoted field longer than this (bytes) is a runaway quote, not a value */
export const MAX_QUOTED_BYTES = 64 * 1024;
/** a quoted field spanning more physical lines than this is a runaway quote */
export const MAX_QUOTED_LINES = 100;
/** parseRecord's answer for a record that is bad from its first line (runaway quote) */
const RUNAWAY = -2;
const RUNAWAY_REASON = `unterminated quoted field (not closed within ${MAX_QUOTED_BYTES} bytes, ${MAX_QUOTED_LINES} lines or the end of the input)`;

class RecordView implements CsvRecordBytes {
  buf: Buffer = Buffer.alloc(0);
  starts = new Int32Array(MAX_FIELDS);
  ends = new Int32Array(MAX_FIELDS);
  escaped = new Uint8Array(MAX_FIELDS);
  count = 0;
  line = 0;
  recStart = 0;
  recEnd = 0;
  /** whether every byte of every field is ASCII (then a field's bytes are its characters) */
  private ascii = true;
  /** the record decoded once as latin1, one character per byte, when an ASCII record's field is asked for */
  private text: string | null = null;

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

  raw(max = 2000): string {
    return this.buf
      .toString('utf8', this.recStart, Math.min(this.recEnd, this.recStart + max * 4))
      .slice(0, max);
  }
}

export class CsvTokenizer {
  private readonly sink: CsvSink;
  private readonly maxRecordBytes: number;
  private carry: Buffer | null = null;
  private line = 1;
  private started = false;
  /** skipping the rest of an over-long record up to the next newline */
  private skipping = false;
  private readonly view = new RecordView();

  constructor(sink: CsvSink, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {
    this.sink = sink;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** physical lines consumed so far (newlines of finished records) */
  get linesRead(): number {
    return this.line - 1;
  }

  /** bytes of a record begun but not finished yet (0 when the input so far ends on a record boundary) */
  get pendingBytes(): number {
    return this.carry ? this.carry.length : 0;
  }

  /**
   * Takes the next bytes. Nothing refers to `chunk` once this returns (a record left open is copied),
   * so a reader may fill the same buffer again for the next call.
   */
  push(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.carry && this.started && !this.skipping) {
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
    if (this.skipping) {
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) return;
      this.skipping = false;
      this.line++;
      pos = nl + 1;
    }
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
      if (next === RUNAWAY || (next < 0 && buf.length - pos > this.maxRecordBytes)) {
        const reason = next === RUNAWAY ? RUNAWAY_REASON : `record longer than ${this.maxRecordBytes} bytes`;
        pos = this.skipBadLine(buf, pos, reason);
        if (pos < 0) return;
        continue;
      }
      if (next < 0) {
        // a copy: the caller may read its next bytes into the same buffer (see push)
        this.carry = Buffer.from(buf.subarray(pos));
        return;
      }
      pos = next;
    }
  }

  /**
   * Reports the record starting at `pos` as bad on the line it starts on and returns the offset after
   * that line's newline, where reading resumes; -1 when the newline is not in `buf` yet (the rest of
   * the line is skipped as it arrives).
   */
  private skipBadLine(buf: Buffer, pos: number, reason: string): number {
    const nl = buf.indexOf(LF, pos);
    this.sink.bad(
      this.line,
      reason,
      buf.toString('utf8', pos, Math.min(nl === -1 ? buf.length : nl, pos + 200)),
    );
    if (nl === -1) {
      this.skipping = true;
      return -1;
    }
    this.line++;
    return nl + 1;
  }

  end(): void {
    if (!this.carry || this.carry.length === 0) return;
    const buf = this.carry;
    this.carry = null;
    let pos = 0;
    while (pos < buf.length) {
      let next = this.parseRecord(buf, pos, true);
      if (next === RUNAWAY) next = this.skipBadLine(buf, pos, RUNAWAY_REASON);
      if (next < 0) break;
      pos = next;
    }
  }

  /**
   * Parses one record starting at `start`. Returns the offset after it, -1 when the record is
   * incomplete in this buffer (and `final` is false), or RUNAWAY (nothing reported yet) when a quoted
   * field in it runs past MAX_QUOTED_BYTES or MAX_QUOTED_LINES.
   */
  private parseRecord(buf: Buffer, start: number, final: boolean): number {
    const v = this.view;
    const len = buf.length;
    let p = start;
    let n = 0;
    let newlines = 0;
    // every field byte OR-ed together: below 0x80, the record is ASCII (RecordView.field)
    let bits = 0;
    const firstQuoted = buf[start] === QUOTE;
    for (;;) {
      if (n >= MAX_FIELDS) {
        // absurd column count: report and skip to the end of the physical line
        const nl = buf.indexOf(LF, p);
        if (nl === -1 && !final) return -1;
        const end = nl === -1 ? len : nl + 1;
        this.sink.bad(
          this.line,
          `more than ${MAX_FIELDS} fields`,
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
          if (q >= len) {
            return final || len - fStart > MAX_QUOTED_BYTES ? RUNAWAY : -1;
          }
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
        if (q - fStart > MAX_QUOTED_BYTES) return RUNAWAY;
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
    v.set(buf, n, this.line, start, p, bits < 0x80);
    this.line += newlines + 1;
    // a blank line (only CR/LF) is not a record; a lone quoted empty field ("") is
    if (!(n === 1 && v.ends[0] === v.starts[0] && !firstQuoted)) this.sink.record(v);
    return p;
  }
}
