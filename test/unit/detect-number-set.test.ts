import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctCounter } from '../../shared/detect/distinct.ts';
import { NumberSet, pooledTableBytes } from '../../shared/detect/number-set.ts';

const keyArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

describe('NumberSet table reuse', () => {
  it('a set built on a recycled table starts empty and counts exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(keyArb, { minLength: 1, maxLength: 300 }),
        fc.array(keyArb, { maxLength: 300 }),
        (old, fresh) => {
          // fill a set, then drop it: its table (and those it grew out of) go to the pool
          const dropped = new NumberSet();
          for (const k of old) dropped.add(k);
          dropped.release();
          expect(dropped.size).toBe(0);
          const set = new NumberSet(old.length);
          for (const k of old) if (!fresh.includes(k)) expect(set.has(k)).toBe(false);
          for (const k of fresh) set.add(k);
          expect(set.size).toBe(new Set(fresh).size);
          expect([...set].sort((a, b) => a - b)).toEqual([...new Set(fresh)].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('freezing a counter hands its table back, and the next counter takes it', () => {
    const counter = new DistinctCounter(Number.POSITIVE_INFINITY, 1000);
    for (let k = 0; k < 900; k++) counter.add(10_000_000_000 + k);
    const before = pooledTableBytes();
    counter.freeze();
    expect(counter.count()).toBe(900);
    expect(pooledTableBytes()).toBeGreaterThan(before);
    const pooled = pooledTableBytes();
    const next = new DistinctCounter(Number.POSITIVE_INFINITY, 1000);
    expect(pooledTableBytes()).toBeLessThan(pooled);
    expect(next.count()).toBe(0);
    next.add(10_000_000_000);
    expect(next.count()).toBe(1);
  });

  it('holds up to four keys without a table, and moves them into one at the fifth', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { maxLength: 12 }),
        fc.array(keyArb, { maxLength: 12 }),
        (keys, probes) => {
          const set = new NumberSet();
          const truth = new Set<number>();
          for (const k of keys) {
            expect(set.add(k)).toBe(!truth.has(k));
            truth.add(k);
            expect(set.size).toBe(truth.size);
          }
          for (const k of [...keys, ...probes]) expect(set.has(k)).toBe(truth.has(k));
          expect([...set].sort((a, b) => a - b)).toEqual([...truth].sort((a, b) => a - b));
          const copy = set.clone();
          copy.add(Number.MAX_SAFE_INTEGER);
          expect(set.has(Number.MAX_SAFE_INTEGER)).toBe(truth.has(Number.MAX_SAFE_INTEGER));
          set.release();
          expect(set.size).toBe(0);
          expect([...set]).toEqual([]);
        },
      ),
    );
  });
});
