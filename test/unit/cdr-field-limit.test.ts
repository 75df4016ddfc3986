import { describe, expect, it } from 'vitest';
import { BatchReadError } from '../../shared/cdr/batch-parser.ts';
import { MAX_FIELDS } from '../../shared/cdr/csv-tokenizer.ts';
import { HEADER, parse } from '../helpers/parse.ts';

/** A batch's columns past the canonical ones are ignored, however many, up to Traceguard's field limit. */
const row = (id: string) =>
  `${id},2026-11-27T16:00:00Z,2026-11-27T16:00:05Z,2026-11-27T16:01:00Z,55,C001,T1,2025550143,3017365001,200,ANSWERED,A,TN-Validation-Passed,10.0.0.1`;
const extra = (n: number, name: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `,${name(i)}`).join('');

describe('the field limit of a record', () => {
  it('reads a batch with 10,000 extra columns, the extra ones ignored', async () => {
    const text = `${HEADER}${extra(10_000, (i) => `x${i}`)}\n${row('a')}${extra(10_000, () => 'v')}\n`;
    const { calls, quarantined } = await parse(text, { chunk: 64 * 1024 });
    expect(quarantined).toEqual([]);
    expect(calls.map((c) => c.callId)).toEqual(['a']);
  });

  it("refuses a header over the limit, saying it is Traceguard's and how many fields the header has", async () => {
    const fields = MAX_FIELDS + 100;
    const text = `${HEADER}${extra(fields - 14, (i) => `x${i}`)}\n${row('a')}\n`;
    const error = await parse(text).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchReadError);
    expect((error as Error).message).toContain(
      `line 1: not a CDR batch: ${fields} fields, more than the ${MAX_FIELDS} Traceguard reads of one record (its limit)`,
    );
  });

  it('quarantines a row over the limit, with its count, and reads the next', async () => {
    const text = `${HEADER}\n${row('a')}${extra(MAX_FIELDS, () => '"q,uoted"')}\n${row('b')}\n`;
    const { calls, quarantined } = await parse(text, { chunk: 4096 });
    expect(calls.map((c) => c.callId)).toEqual(['b']);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [
        2,
        `${14 + MAX_FIELDS} fields, more than the ${MAX_FIELDS} Traceguard reads of one record (its limit)`,
      ],
    ]);
  });
});
