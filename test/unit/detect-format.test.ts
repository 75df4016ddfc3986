import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counted, figureAgainst, int, pct, pctAgainst, plural } from '../../shared/detect/format.ts';

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

  it('counted puts a count and its noun in the same number, as the figure shown reads', () => {
    expect(counted(1, 'call')).toBe('1 call');
    expect(counted(0, 'call')).toBe('0 calls');
    expect(counted(4210, 'answered call')).toBe('4,210 answered calls');
    // int writes 1.2 as 1: the noun agrees with the figure shown
    expect(counted(1.2, 'hour')).toBe('1 hour');
    expect(counted(1, 'source address', 'source addresses')).toBe('1 source address');
    expect(counted(3, 'source address', 'source addresses')).toBe('3 source addresses');
    expect([plural(1, 'was', 'were'), plural(2, 'was', 'were'), plural(1.5, 'day')]).toEqual([
      'was',
      'were',
      'days',
    ]);
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

  it('pctAgainst writes a share that pct would write as its threshold with the digits that set it apart', () => {
    expect(pct(0.3998)).toBe('40%');
    expect(pctAgainst(0.3998, 0.4)).toBe('39.98%');
    expect(pctAgainst(0.40004, 0.4)).toBe('40.004%');
    // a threshold scaled by vetting (25% / 0.7 for a new customer)
    expect(pctAgainst(0.3571, 0.25 / 0.7)).toBe('35.71%');
    // apart already, or on the line: as pct writes it
    expect(pctAgainst(0.1479, 0.15)).toBe('14.8%');
    expect(pctAgainst(0.4, 0.4)).toBe('40%');
    expect(figureAgainst(29.96, 30, 1)).toBe(29.96);
    expect(figureAgainst(8.02, 8, 1)).toBe(8.02);
    expect(figureAgainst(0.1496, 0.15, 2)).toBe(0.1496);
  });

  it('pctAgainst never writes a share on or across its line, and is pct wherever pct is apart from it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r, line) => {
          fc.pre(Math.abs(r - line) >= 1e-8);
          const shown = pctAgainst(r, line);
          const figure = Number(shown.slice(0, -1));
          expect(Math.sign(figure - line * 100), `${shown} against ${line}`).toBe(Math.sign(r - line));
          if (pct(r) !== pct(line)) expect(shown).toBe(pct(r));
        },
      ),
      { numRuns: 3000 },
    );
    // shares a thousandth of a point or less from the line, where the search is longest
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        (line, k, below) => {
          const r = line + (below ? -k : k) * 1e-8;
          const figure = Number(pctAgainst(r, line).slice(0, -1));
          expect(Math.sign(figure - line * 100)).toBe(below ? -1 : 1);
        },
      ),
    );
  });
});
