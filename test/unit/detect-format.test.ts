import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int, pct } from '../../shared/detect/format.ts';

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

  it('pct keeps a tenth of a point, so a share under a threshold does not read as the threshold', () => {
    expect(pct(0.1479)).toBe('14.8%');
    expect(pct(0.81)).toBe('81%');
    expect(pct(0.333333)).toBe('33.3%');
    expect(pct(1)).toBe('100%');
    expect(pct(0.00049)).toBe('0%');
    // 0.15 is a threshold of several rules: a share 0.2 points under it reads as under it
    expect(pct(0.148)).not.toBe(pct(0.15));
  });
});
