import { type CsvRecord, CsvTokenizer } from './csv-tokenizer.ts';
import { looksLikeAsterisk } from './formats/asterisk.ts';
import { isCanonicalHeader } from './formats/canonical-csv.ts';
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
 * Whether a batch starting with `b` ends its lines in a bare CR (classic Mac): its first line past the
 * lead ends in a CR not followed by LF. Decided on the first SAMPLE_BYTES (and the byte after a CR at
 * their end), so the parser and the planning of ranges answer alike; a first line not ended in them
 * ends in LF as far as this is concerned. null: not known yet (a shorter `b` with no line end after
 * its lead, or one that ends in that CR).
 */
export function crLineEnds(b: Buffer): boolean | null {
  const from = leadLength(b);
  const sample = b.subarray(0, SAMPLE_BYTES);
  const cr = sample.indexOf(0x0d, from);
  const lf = sample.indexOf(0x0a, from);
  if (cr !== -1 && (lf === -1 || cr < lf)) return cr + 1 < b.length ? b[cr + 1] !== 0x0a : null;
  return lf !== -1 || b.length >= SAMPLE_BYTES ? false : null;
}

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
 * The native switch layout a batch starting with `sample` most likely has, read from its first row as
 * the parser reads it (Asterisk `cdr_csv`, FreeSWITCH `mod_cdr_csv`), or null: a guess for planning
 * only, the parser decides. A first row not ended within the sample is no guess.
 */
export function nativeLayoutOf(sample: Buffer): NativeLayout | null {
  const from = leadLength(sample);
  const nl = sample.indexOf(0x0a, from);
  if (nl === -1) return null;
  let layout: NativeLayout | null = null;
  new CsvTokenizer({
    // the sample holds one line: this is its one record
    record: (rec: CsvRecord) => {
      layout = nativeLayoutOfRecord(rec);
    },
    bad: () => {},
  }).push(sample.subarray(from, nl + 1));
  return layout;
}

export type NativeLayout = 'asterisk' | 'freeswitch';

/** The native layout a batch's first record has, Asterisk tried first; null: neither. The parser decides by this too. */
export function nativeLayoutOfRecord(rec: CsvRecord): NativeLayout | null {
  return looksLikeAsterisk(rec) ? 'asterisk' : looksLikeFreeswitch(rec) ? 'freeswitch' : null;
}
