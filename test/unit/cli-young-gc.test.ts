import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { releaseGrownYoungGeneration, youngCollector } from '../../cli/young-gc.ts';

const youngMb = () =>
  (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20;

describe('youngCollector', () => {
  it('is available on the pinned Node (not the null of a runtime without it) and takes chunk sizes', () => {
    const skipped = youngCollector(1 << 20);
    expect(skipped).not.toBeNull();
    for (let i = 0; i < 8; i++) skipped?.(256 * 1024);
  });
});

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
