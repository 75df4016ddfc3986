import { describe, expect, it } from 'vitest';
import { CHECK_BYTES, checkBatchStart, readBatch } from '../../shared/cdr/read-batch.ts';
import { HEADER } from './ingest-cdr-fixtures.ts';

const DISCARD = { call() {}, quarantine() {} };

/** `text` as a stream of 64 KB chunks, as S3 or a file gives it. */
async function* chunks(text: string): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 1 << 16) yield bytes.subarray(i, i + (1 << 16));
}

/** The error readBatch and checkBatchStart give for `text`, side by side. */
async function bothErrors(text: string): Promise<[string, string]> {
  const opts = { source: 'big.csv' };
  const read = await readBatch(chunks(text), opts, DISCARD).then(
    () => 'read',
    (e: Error) => e.message,
  );
  const check = await checkBatchStart(chunks(text), opts).then(
    () => 'read',
    (e: Error) => e.message,
  );
  return [read, check];
}

describe('checkBatchStart (upload checks a batch before sending it)', () => {
  it('fails a file of one huge line as the read does, not as a one-field header', async () => {
    const [read, check] = await bothErrors('X'.repeat(3 << 20));
    expect(read).toMatch(/record longer than 1048576 bytes/);
    expect(check).toBe(read);
  });

  it('reads a header longer than its sample in full, and passes it', async () => {
    const wide = `${HEADER},${'x'.repeat(CHECK_BYTES)}\n`;
    expect(await bothErrors(wide)).toEqual(['read', 'read']);
  });
});
