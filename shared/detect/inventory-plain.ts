import type { NumberInventory } from './reference.ts';

/**
 * The quick reader of a number inventory whose every line is plain: `customer_id,number` as the
 * header, then `customer,+digits` lines (printable ASCII ids without quotes or blanks, numbers in
 * plain E.164, LF or CRLF). That is what carriers export, and at 20,000 customers (119,000 numbers)
 * the general CSV path took about 0.3 s in each analyze worker, a tenth of its time: a row object
 * with two trimmed strings, two regular-expression tests and a map lookup per number. Here a number
 * is read straight into its key, and a customer id is decoded only when it changes from the line
 * before. Anything else (other columns or order, quotes, blanks, prefixes, other number forms, an
 * empty line) makes it give up; the caller then reads the whole text the general way, which also
 * gives any error its line.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const HEADER = Buffer.from('customer_id,number');
/** E.164 numbers have at most 15 digits: one leading non-zero digit and up to 14 more */
const MAX_MORE_DIGITS = 14;

/**
 * Adds every line's number to `inv` and returns true, or returns false at the first line that is not
 * plain. Bytes (UTF-8) are read as they are; text is encoded first.
 */
export function readPlainInventory(file: string | Buffer, inv: NumberInventory): boolean {
  const buf = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const n = buf.length;
  if (n <= HEADER.length || !HEADER.equals(buf.subarray(0, HEADER.length))) return false;
  let p = HEADER.length;
  if (buf[p] === CR) p++;
  if (buf[p] !== LF) return false;
  p++;
  inv.reservePlain(linesFrom(buf, p));
  let customer = '';
  let prevStart = 0;
  let prevEnd = 0;
  while (p < n) {
    const s = p;
    // beyond the last byte buf[p] is undefined: every comparison below is then false
    let c = buf[p];
    while (c > 0x20 && c < 0x7f && c !== COMMA && c !== QUOTE) c = buf[++p];
    if (p === s || c !== COMMA) return false;
    const e = p++;
    if (buf[p++] !== PLUS) return false;
    let d = buf[p++] - 48;
    if (!(d >= 1 && d <= 9)) return false;
    let key = d;
    const more = p;
    for (d = buf[p] - 48; d >= 0 && d <= 9; d = buf[p] - 48) {
      key = key * 10 + d;
      p++;
    }
    if (p - more > MAX_MORE_DIGITS) return false;
    if (buf[p] === CR) p++;
    if (p < n) {
      if (buf[p] !== LF) return false;
      p++;
    } else if (buf[p - 1] === CR) return false;
    if (!sameBytes(buf, s, e, prevStart, prevEnd)) {
      customer = buf.toString('latin1', s, e);
      prevStart = s;
      prevEnd = e;
    }
    inv.addPlainKey(customer, key);
  }
  return true;
}

/** Whether buf[s, e) and buf[t, u) hold the same bytes (a loop: ids are short, and Buffer.compare's call cost more). */
function sameBytes(buf: Buffer, s: number, e: number, t: number, u: number): boolean {
  if (e - s !== u - t) return false;
  for (let i = 0; i < e - s; i++) if (buf[s + i] !== buf[t + i]) return false;
  return true;
}

/** Lines from `from` on (the last one may lack its newline). */
function linesFrom(buf: Buffer, from: number): number {
  let lines = 0;
  for (let i = buf.indexOf(LF, from); i >= 0; i = buf.indexOf(LF, i + 1)) lines++;
  return lines + 1;
}
