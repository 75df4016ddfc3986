import type { PackedCall } from '../packed-call.ts';
import { CANONICAL_COLUMNS } from '../raw-call.ts';
import { canonicalColumnOf } from './canonical-csv.ts';
import type { CanonicalFastReader } from './canonical-fast.ts';

/**
 * The JSON Lines fast lane: a line holding one flat object in the plain shape exporters write
 * (`{"call_id":"c1","start_time":"2026-11-27T16:00:00Z",...}`, spaces between tokens or not) is
 * rewritten as the canonical CSV row with the same values, in the contract's column order, and read by
 * the canonical fast lane (CanonicalFastReader, given that header). The general lane (jsonRow, then
 * normalizeCall) turns such a line into the same raw call as that CSV row: each value the text of its
 * string, or of its whole number, or empty for null; keys in any case; other keys ignored.
 *
 * Anything that could make the two differ is left to the general lane (false): a string with an
 * escape, a control character or a comma (it would split the row); a number other than
 * digits without a leading zero, at most 15 of them (String() would write a longer one otherwise);
 * true, false, objects and arrays; a key twice (in any case); a key with an escape or a non-ASCII
 * byte; no attestation key (the general lane reads that as not reported, not as unsigned); and any
 * byte outside the object but blank space.
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;

const COLUMNS = CANONICAL_COLUMNS.length;
const ATTESTATION = CANONICAL_COLUMNS.indexOf('attestation');
/** the column names as bytes, to compare keys with (in either case) */
const NAMES = CANONICAL_COLUMNS.map((c) => Buffer.from(c, 'latin1'));

/** The header the rewritten rows have: every canonical column, in order. */
export const JSONL_COLUMN_MAP = Object.fromEntries(CANONICAL_COLUMNS.map((c, i) => [c, i]));
export const JSONL_WIDTH = COLUMNS;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === CR;
}

/** a lower-case ASCII letter for an upper-case one (the general lane lower-cases keys) */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** Whether the key buf[s, e) names column k (in any case). */
function names(buf: Buffer, s: number, e: number, k: number): boolean {
  const name = NAMES[k];
  const len = e - s;
  if (name.length !== len) return false;
  for (let j = 0; j < len; j++) if (lower(buf[s + j]) !== name[j]) return false;
  return true;
}

/**
 * Index of the canonical column named by the key buf[s, e) (any case), or -1 for another key; column
 * `likely` is tried first (exporters write the keys in one order, most often the contract's).
 */
function columnOf(buf: Buffer, s: number, e: number, likely: number): number {
  if (likely < COLUMNS && names(buf, s, e, likely)) return likely;
  for (let k = 0; k < COLUMNS; k++) if (k !== likely && names(buf, s, e, k)) return k;
  return -1;
}

export class JsonLinesFastReader {
  private readonly reader: CanonicalFastReader;
  /** where each column's value lies in the line being read, and whether the line has it */
  private readonly starts = new Int32Array(COLUMNS);
  private readonly ends = new Int32Array(COLUMNS);
  private readonly seen = new Uint8Array(COLUMNS);

  /** `reader`: a canonical fast reader for JSONL_COLUMN_MAP and JSONL_WIDTH */
  constructor(reader: CanonicalFastReader) {
    this.reader = reader;
  }

  /** Reads the line buf[from, to) (its newline excluded) into `out`; false: the general lane reads it. */
  read(buf: Buffer, from: number, to: number, line: number, out: PackedCall): boolean {
    const starts = this.starts;
    const ends = this.ends;
    const seen = this.seen;
    seen.fill(0);
    // the column of the last key: the next key most likely names the one after it
    let last = -1;
    let p = from;
    while (p < to && isBlank(buf[p])) p++;
    if (p >= to || buf[p] !== 0x7b) return false;
    p++;
    for (;;) {
      while (p < to && isBlank(buf[p])) p++;
      // the key
      if (p >= to || buf[p] !== QUOTE) return false;
      const ks = ++p;
      for (;;) {
        if (p >= to) return false;
        const c = buf[p];
        if (c === QUOTE) break;
        if (c === BACKSLASH || c < 0x20 || c >= 0x80) return false;
        p++;
      }
      const col = columnOf(buf, ks, p, last + 1);
      // a key that spells a column another way (`Call ID`) is the general lane's to read
      if (col < 0 && canonicalColumnOf(buf.toString('latin1', ks, p)) !== undefined) return false;
      p++;
      while (p < to && isBlank(buf[p])) p++;
      if (p >= to || buf[p] !== 0x3a) return false;
      p++;
      while (p < to && isBlank(buf[p])) p++;
      if (p >= to) return false;
      // the value
      let vs: number;
      let ve: number;
      const c0 = buf[p];
      if (c0 === QUOTE) {
        vs = ++p;
        for (;;) {
          if (p >= to) return false;
          const c = buf[p];
          if (c === QUOTE) break;
          if (c === BACKSLASH || c === COMMA || c < 0x20) return false;
          p++;
        }
        ve = p++;
      } else if (c0 >= 48 && c0 <= 57) {
        vs = p;
        while (p < to && buf[p] >= 48 && buf[p] <= 57) p++;
        ve = p;
        if ((c0 === 48 && ve - vs > 1) || ve - vs > 15) return false;
      } else if (c0 === 0x6e && buf[p + 1] === 0x75 && buf[p + 2] === 0x6c && buf[p + 3] === 0x6c) {
        // null: an empty value
        vs = p;
        ve = p;
        p += 4;
      } else return false;
      if (col >= 0) {
        if (seen[col] === 1) return false;
        seen[col] = 1;
        starts[col] = vs;
        ends[col] = ve;
        last = col;
      }
      while (p < to && isBlank(buf[p])) p++;
      if (p >= to) return false;
      if (buf[p] === COMMA) {
        p++;
        continue;
      }
      if (buf[p] !== 0x7d) return false;
      p++;
      break;
    }
    while (p < to && isBlank(buf[p])) p++;
    if (p !== to || seen[ATTESTATION] === 0) return false;
    return this.reader.readLine(this.rewrite(buf), 0, line, out) >= 0;
  }

  /** The canonical CSV row of the values just found: each column's bytes, commas between, a newline. */
  private rewrite(buf: Buffer): Buffer {
    // the values, a comma between each two, the newline
    let bytes = COLUMNS;
    for (let k = 0; k < COLUMNS; k++) if (this.seen[k] === 1) bytes += this.ends[k] - this.starts[k];
    const row = this.reader.rowBuffer(bytes);
    let n = 0;
    for (let k = 0; k < COLUMNS; k++) {
      if (k > 0) row[n++] = COMMA;
      // byte by byte: values are short, and Buffer.copy makes a view of each one
      if (this.seen[k] === 1) for (let i = this.starts[k]; i < this.ends[k]; i++) row[n++] = buf[i];
    }
    row[n] = LF;
    return row;
  }
}
