import { isCanonicalHeader } from './formats/canonical-csv.ts';

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
