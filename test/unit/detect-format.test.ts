import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int } from '../../shared/detect/format.ts';

describe('reason-sentence number formatting', () => {
  it('int groups thousands exactly like en-US locale formatting of the rounded number (but never says -0)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ min: -1e15, max: 1e15, noNaN: true })), (n) => {
        const r = Math.round(n);
        expect(int(n)).toBe(r === 0 ? '0' : r.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
    expect(int(4210)).toBe('4,210');
    expect(int(1234567.4)).toBe('1,234,567');
  });
});
