import { type CsvRecord, CsvTokenizer } from './csv-tokenizer.ts';
import { looksLikeAsterisk } from './formats/asterisk.ts';
import { canonicalColumnOf, isCanonicalHeader } from './formats/canonical-csv.ts';
import { looksLikeFreeswitch } from './formats/freeswitch.ts';

/**
 * What the first bytes of a batch say about its format, shared by the parser (which decides on them)
 * and the command line (which decides before reading whether a batch can be split across threads).
 */

/** bytes of a batch's start that tell its format */
export const SAMPLE_BYTES = 4096;

/** Bytes at the start of `b` (up to SAMPLE_BYTES) that are a byte-order mark or blank space. */
export function leadLength(b: Buffer): number {
  const end = Math.min(b.length, SAMPLE_BYTES);
  let i = 0;
  while (
    i < end &&
    (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0xef || b[i] === 0xbb || b[i] === 0xbf)
  )
    i++;
  return i;
}

/**
 * Whether a batch starting with `b` ends its lines in a bare CR (classic Mac), decided on its first
 * SAMPLE_BYTES past the lead, so the parser and the planning of ranges answer alike: the first line end
 * there is a CR that no LF follows. A run of CRs before an LF ends a line of the LF family (CRLF, or
 * CRLF converted twice: CR CR LF). A JSON Lines batch only when the sample holds no LF at all: a CR may
 * be whitespace inside an object. null: not known yet (`b` is shorter than the sample and not the
 * whole batch).
 */
export function crLineEnds(b: Buffer, whole = false): boolean | null {
  const from = leadLength(b);
  const sample = b.subarray(0, SAMPLE_BYTES);
  const known = whole || b.length >= SAMPLE_BYTES;
  const lf = sample.indexOf(LF, from);
  const cr = sample.indexOf(CR, from);
  if (startsJsonLines(sample)) return lf !== -1 ? false : known ? cr !== -1 : null;
  if (cr === -1 || (lf !== -1 && lf < cr)) return lf !== -1 || known ? false : null;
  let end = cr;
  while (end < b.length && b[end] === CR) end++;
  if (end < b.length) return b[end] !== LF;
  // the batch so far ends in that run of CRs: the next byte decides, or there is none
  return whole ? true : null;
}

const CR = 0x0d;
const LF = 0x0a;

/** what to send instead of an archive or a document */
const SEND_CSV = 'export the CDRs as CSV (UTF-8) or JSON Lines; gzip is the only compression read';

/**
 * Archives and documents by their first bytes (their magic numbers), which no CDR text starts with:
 * their compressed bytes hold too few NULs to be judged binary, and read as CSV they made a batch of
 * rows all quarantined rather than a batch refused.
 */
const CONTAINERS: Array<[magic: number[], what: string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (a .zip, or a spreadsheet such as .xlsx)'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty ZIP archive'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an Office document (such as a .xls spreadsheet)'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz data'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd data'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'a PDF document'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
];

function startsWith(sample: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => sample[i] === b);
}

/** where a tar header holds `ustar` (POSIX, and GNU tar's `ustar  `) */
const TAR_MAGIC_AT = 257;

/**
 * Whether `sample` is UTF-16 text written without a byte-order mark: CDR text is ASCII, so in UTF-16
 * every character is a printable byte beside a NUL, the NUL first (big-endian) or second (little-endian)
 * in nearly every pair of bytes, and never on the other side. Binary data has its NULs anywhere.
 */
function utf16WithoutMark(sample: Buffer): boolean {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 8) return false;
  // per side of the pair: pairs with a NUL there, and with a printable character or line end there
  const nul = [0, 0];
  const text = [0, 0];
  for (let i = 0; i < pairs * 2; i++) {
    const b = sample[i];
    if (b === 0) nul[i & 1]++;
    else if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d) text[i & 1]++;
  }
  // the side of the NULs (0: big-endian, 1: little-endian), and the other, of the characters
  const side = nul[1] > nul[0] ? 1 : 0;
  return nul[side] * 10 >= pairs * 9 && text[1 - side] * 10 >= pairs * 9;
}

/**
 * Why a batch starting with `sample` is no text at all, or null when it may be. UTF-16 text, with a
 * byte-order mark or without (utf16WithoutMark), has a NUL beside every other character, binary
 * formats (executables, images, spreadsheets, archives) NULs throughout their headers and padding:
 * more than one byte in 32 of the sample; archives and documents are known by their magic numbers
 * (CONTAINERS, a tar header's). A stray NUL or two in text is no reason to refuse the batch: its row
 * is quarantined like any row with a NUL in a field, wherever it lies.
 */
export function notText(sample: Buffer): string | null {
  if (
    (sample[0] === 0xff && sample[1] === 0xfe) ||
    (sample[0] === 0xfe && sample[1] === 0xff) ||
    utf16WithoutMark(sample)
  )
    return 'UTF-16 text; send it as UTF-8';
  // the gzip magic after the batch's own gzip was taken off (decode.ts): compressed twice
  if (sample[0] === 0x1f && sample[1] === 0x8b) return 'gzip data inside gzip; compress the batch once';
  for (const [magic, what] of CONTAINERS) if (startsWith(sample, magic)) return `${what}; ${SEND_CSV}`;
  // bzip2: 'BZh', its block size digit and the magic of its first block (or of its end, when empty)
  if (
    startsWith(sample, [0x42, 0x5a, 0x68]) &&
    sample[3] >= 0x31 &&
    sample[3] <= 0x39 &&
    (startsWith(sample.subarray(4), [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) ||
      startsWith(sample.subarray(4), [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]))
  )
    return `bzip2 data; ${SEND_CSV}`;
  // a tar archive's magic lies past its first member's name, after the gzip of a .tar.gz was taken off
  if (sample.toString('latin1', TAR_MAGIC_AT, TAR_MAGIC_AT + 5) === 'ustar')
    return 'a tar archive (a .tar, or a .tar.gz once gunzipped); send each CDR file in it as a batch of its own';
  let nuls = 0;
  for (let i = sample.indexOf(0); i !== -1; i = sample.indexOf(0, i + 1)) nuls++;
  if (nuls * 32 > sample.length) return 'binary data in the first bytes';
  // random or encrypted bytes have few NULs but about one control character in nine; text, in any
  // encoding, has next to none but tabs and line ends
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) controls++;
  }
  return controls * 20 > sample.length ? 'binary data in the first bytes' : null;
}

/**
 * What a first line that is neither a canonical header nor a native layout is instead, when it shows
 * (null when it does not): a JSON array (one document, not JSON Lines), or a header separated by
 * semicolons or tabs (one field read with commas). A line is such a header only when its pieces read
 * as column names: one that names a column Traceguard knows, or all of them names; a log line with a
 * semicolon in it (a syslog line's `method=INVITE;from_tag=...`) is no header. Asked only of a batch
 * already refused.
 */
export function notCsvHeader(line: string, fields: number): string | null {
  if (line.trimStart().startsWith('[')) return 'a JSON array, not JSON Lines (one object per line)';
  if (fields !== 1) return null;
  const separator = line.includes(';') ? ';' : line.includes('\t') ? '\t' : null;
  if (separator === null) return null;
  const names = line.split(separator).map((n) => n.trim().replace(/^"(.*)"$/, '$1'));
  const header =
    names.some((n) => canonicalColumnOf(n) !== undefined) || names.every((n) => COLUMN_NAME.test(n));
  return header
    ? `the header is separated by ${separator === ';' ? 'semicolons' : 'tabs'}; CDR CSV is comma-separated (call_id,start_time,...)`
    : null;
}

/** what a column name of a CDR export looks like: a word or a few, no `=`, `:` or `/` of a log line */
const COLUMN_NAME = /^[\p{L}_][\p{L}\p{N} _.()-]{0,63}$/u;

/**
 * What a batch read as canonical CSV because its format is set so (never tried as another layout) is
 * instead, when its first line shows a layout detection would have taken (null when it does not):
 * JSON Lines, or a headerless Asterisk or FreeSWITCH export. Said with the format that reads it, as
 * its first line read as a header would only lack every column. Asked only of a batch already refused.
 */
export function otherLayout(rec: CsvRecord): string | null {
  if (rec.raw(SAMPLE_BYTES).trimStart().startsWith('{'))
    return 'JSON Lines (one object per line): use format jsonl or auto';
  const native = nativeLayoutOfRecord(rec);
  return native === null
    ? null
    : `a headerless ${NATIVE_EXPORTS[native]} export: use format ${native} with the switch's time zone (or auto with one)`;
}

const NATIVE_EXPORTS: Record<NativeLayout, string> = {
  asterisk: 'Asterisk cdr_csv',
  freeswitch: 'FreeSWITCH mod_cdr_csv',
};

/** Whether a batch starting with `sample` is JSON Lines: its first byte past the lead opens an object. */
export function startsJsonLines(sample: Buffer): boolean {
  return sample[leadLength(sample)] === 0x7b;
}

/**
 * Whether a batch starting with `sample` most likely opens with a canonical CSV header (its first line
 * names call_id and start_time, quoted or not): a guess for planning only, the parser decides.
 */
export function startsCanonicalHeader(sample: Buffer): boolean {
  const from = leadLength(sample);
  const nl = sample.indexOf(0x0a, from);
  const names = sample
    .toString('utf8', from, nl === -1 ? sample.length : nl)
    .split(',')
    .map((n) => n.replaceAll('"', '').trim().toLowerCase());
  return isCanonicalHeader(names);
}

/**
 * How many of a headerless batch's first non-blank records tell its layout (auto): one bad row at its
 * start (a stray line, a row cut short, one too long) does not make the batch unreadable, it is
 * quarantined like any bad row.
 */
export const LAYOUT_RECORDS = 8;
/** ... or fewer, when those held to decide pass this many bytes */
export const LAYOUT_BYTES = 64 * 1024;

/**
 * The native switch layout a batch starting with `sample` most likely has, voted by its first
 * records as the parser votes (layoutOfMost), or null: a guess for planning only, the parser decides.
 * Only the records ended within the sample vote.
 */
export function nativeLayoutOf(sample: Buffer): NativeLayout | null {
  const from = leadLength(sample);
  const nl = sample.lastIndexOf(0x0a);
  if (nl < from) return null;
  const layouts: Array<NativeLayout | null> = [];
  new CsvTokenizer({
    record: (rec: CsvRecord) => {
      if (layouts.length < LAYOUT_RECORDS && !isBlankRecord(rec)) layouts.push(nativeLayoutOfRecord(rec));
    },
    bad: () => {
      if (layouts.length < LAYOUT_RECORDS) layouts.push(null);
    },
  }).push(sample.subarray(from, nl + 1));
  return layoutOfMost(layouts);
}

export type NativeLayout = 'asterisk' | 'freeswitch';

/** The native layout one record has, Asterisk tried first; null: neither. */
export function nativeLayoutOfRecord(rec: CsvRecord): NativeLayout | null {
  return looksLikeAsterisk(rec) ? 'asterisk' : looksLikeFreeswitch(rec) ? 'freeswitch' : null;
}

/**
 * The layout most of a batch's first records have (nativeLayoutOfRecord of each, null for one of
 * neither or unreadable), the earliest one's on a tie; null when none has one. The parser decides by
 * this.
 */
export function layoutOfMost(layouts: ReadonlyArray<NativeLayout | null>): NativeLayout | null {
  let asterisk = 0;
  let freeswitch = 0;
  for (const layout of layouts) {
    if (layout === 'asterisk') asterisk++;
    else if (layout === 'freeswitch') freeswitch++;
  }
  if (asterisk === freeswitch) return layouts.find((l) => l !== null) ?? null;
  return asterisk > freeswitch ? 'asterisk' : 'freeswitch';
}

/**
 * A line of nothing but spaces or tabs (an export job's padding) before the first real one: it
 * decides nothing, and is skipped like a blank line.
 */
export function isBlankRecord(rec: CsvRecord): boolean {
  return rec.count === 1 && rec.field(0).trim() === '';
}
