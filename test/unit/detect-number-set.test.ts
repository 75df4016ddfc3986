import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctCounter, pairKey } from '../../shared/detect/distinct.ts';
import { KEY_SPLIT, NumberSet, pooledTableBytes } from '../../shared/detect/number-set.ts';

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

  it('emptying a counter for reuse hands its table back, and the next counter takes it', () => {
    const counter = new DistinctCounter(Number.POSITIVE_INFINITY, 1000);
    for (let k = 0; k < 900; k++) counter.add(10_000_000_000 + k);
    const before = pooledTableBytes();
    counter.reuse(0);
    expect(counter.count()).toBe(0);
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

/** Keys passed split (addParts, hasParts) are the same keys as passed whole. */
describe('split keys', () => {
  const split = (k: number): [number, number] => {
    const hi = (k / KEY_SPLIT) | 0;
    return [hi, (k - hi * KEY_SPLIT) | 0];
  };

  it('a set and a counter filled with split keys hold what add() would, in tables and inline', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { maxLength: 80 }),
        fc.array(keyArb, { maxLength: 20 }),
        (keys, probes) => {
          const whole = new NumberSet();
          const parts = new NumberSet();
          const counter = new DistinctCounter(40);
          const wholeCounter = new DistinctCounter(40);
          for (const k of keys) {
            expect(parts.addParts(...split(k))).toBe(whole.add(k));
            counter.addParts(...split(k));
            wholeCounter.add(k);
          }
          for (const k of [...keys, ...probes]) expect(parts.hasParts(...split(k))).toBe(whole.has(k));
          expect([...parts].sort((a, b) => a - b)).toEqual([...whole].sort((a, b) => a - b));
          // past its limit the counter turns to HLL registers, which must not depend on how keys came in
          expect(counter.toJSON()).toEqual(wholeCounter.toJSON());
        },
      ),
    );
  });

  it('pair keys keep the values aggregates already stored hold', () => {
    // computed before pair keys were computed from split keys: merged windows depend on them
    for (const [calling, called, key] of [
      [12125550143, 13105550199, 850830298937163],
      [1, 0, 1430757733177485],
      [9007199254740991, 1099511627783, 212910604962045],
      [1000004294967295, 447700900123, 2254592195487004],
      [4294967296, 4294967295, 1618120722264710],
    ])
      expect(pairKey(calling, called)).toBe(key);
  });
});
