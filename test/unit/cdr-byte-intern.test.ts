import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteInterner } from '../../shared/cdr/byte-intern.ts';

/**
 * The fast lane's id table: the string for a byte range, decoded once, found again by its bytes; ids
 * are numbered in order of first sight (the aggregator's per-id tables rely on it).
 */
describe('ByteInterner', () => {
  it('gives the decoded string, the same instance and number for the same bytes, and flags unusable ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3000 }),
        (ids) => {
          const interner = new ByteInterner();
          const seen = new Map<string, { value: string; index: number }>();
          for (const bytes of [...ids, ...ids.slice().reverse()]) {
            // the id inside a larger buffer, as the reader sees it
            const buf = Buffer.concat([Buffer.from('x,'), bytes, Buffer.from(',y')]);
            const value = interner.intern(buf, 2, 2 + bytes.length);
            const decoded = Buffer.from(bytes).toString('utf8');
            expect(value).toBe(decoded);
            expect(interner.lastBad).toBe(decoded.includes('\uFFFD') || decoded.includes('\u0000'));
            const key = Buffer.from(bytes).toString('hex');
            const first = seen.get(key);
            if (first) {
              expect(interner.lastIndex).toBe(first.index);
              expect(Object.is(value, first.value)).toBe(true);
            } else {
              expect(interner.lastIndex).toBe(seen.size);
              seen.set(key, { value, index: seen.size });
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps 60,000 ids (customers and their trunks) apart', () => {
    const interner = new ByteInterner();
    const ids = Array.from({ length: 20_000 }, (_, c) => [`C${c}`, `T${c}-1`, `T${c}-2`]).flat();
    for (const id of ids) interner.intern(Buffer.from(id), 0, id.length);
    for (let k = 0; k < ids.length; k += 7) {
      const id = ids[k];
      expect(interner.intern(Buffer.from(id), 0, id.length)).toBe(id);
      expect(interner.lastIndex).toBe(k);
    }
  });
});
