import { notText, SAMPLE_BYTES } from '../shared/cdr/batch-lead.ts';
import { UsageError } from './errors.ts';

/**
 * A reference file's text (a registry, an inventory, a DNO list, a trunk map, a policy), refused in
 * one line when its first bytes are no text: read as lines, a gzip or a binary printed its raw bytes
 * as "not a phone number". The CDR batches' own check says what the bytes are (batch-lead.ts); none of
 * these files is read compressed.
 */
export function textOf(bytes: Buffer, path: string, what: string): string {
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  // the batches' check takes a gzip here for one inside another: these files are never unzipped
  const why = sample[0] === 0x1f && sample[1] === 0x8b ? 'gzip data' : notText(sample)?.split(';')[0];
  if (why) throw new UsageError(`${path}: ${what} is not a text file (${why}); give it as plain UTF-8 text`);
  return bytes.toString('utf8');
}
