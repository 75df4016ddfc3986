import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  collectAfterRead,
  releaseGrownYoungGeneration,
  scoringHeapGuard,
  withoutPretenuring,
} from '../../cli/young-gc.ts';

const youngMb = () =>
  (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20;

describe('releaseGrownYoungGeneration', () => {
  it('shrinks a young generation that grew while most of what was allocated survived', () => {
    // what a big registry does while it is parsed: V8 grows the young generation for it
    const kept: Array<{ i: number; s: string }> = [];
    for (let i = 0; i < 3_000_000; i++) kept.push({ i, s: `row ${i}` });
    expect(youngMb()).toBeGreaterThan(32);
    releaseGrownYoungGeneration();
    expect(youngMb()).toBeLessThanOrEqual(8);
    // what survived is all still there
    expect(kept[2_999_999].s).toBe('row 2999999');
  });
});

describe('scoringHeapGuard', () => {
  it('gives back a young generation grown past 64 MB, looking once every 128 customers', () => {
    const guard = scoringHeapGuard();
    // scoring with most of each young collection surviving, until V8 grows the young generation past 64 MB
    const kept: Array<{ i: number; s: string }> = [];
    for (let i = 0; i < 20_000_000 && youngMb() <= 64; i++) kept.push({ i, s: `window ${i}` });
    expect(youngMb()).toBeGreaterThan(64);
    guard(127);
    expect(youngMb()).toBeGreaterThan(64);
    guard(128);
    expect(youngMb()).toBeLessThanOrEqual(8);
    expect(kept.at(-1)?.s).toMatch(/^window \d+$/);
    // a young generation within bounds is left as it is
    const small = youngMb();
    guard(256);
    expect(youngMb()).toBe(small);
  });
});

describe('collectAfterRead', () => {
  it("gives back a read's state once it is dropped, and keeps what is still held", () => {
    const usedMb = () => getHeapStatistics().used_heap_size / 2 ** 20;
    // a reader's open hours: built over many young collections, so most of it is old by now
    let state: Array<{ i: number; s: string }> | null = [];
    for (let i = 0; i < 1_000_000; i++) state.push({ i, s: `hour ${i}` });
    const kept = state.slice(0, 10);
    state = null;
    const before = usedMb();
    collectAfterRead();
    expect(usedMb()).toBeLessThan(before - 30);
    expect(kept[9].s).toBe('hour 9');
  });
});

describe('the collector', () => {
  it('is taken with --expose-gc set only for the moment: contexts made after it have no gc', () => {
    collectAfterRead();
    // the flag is back to its default, so V8's flag hash is too (worker threads take Node's code cache)
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});

describe('withoutPretenuring', () => {
  // the flag itself has no reader in JavaScript: its effect is measured by the bench (bench/README.md)
  it("gives scoring's result back, and its error", () => {
    expect(withoutPretenuring(() => 42)).toBe(42);
    expect(() =>
      withoutPretenuring(() => {
        throw new Error('scoring failed');
      }),
    ).toThrow('scoring failed');
  });
});
