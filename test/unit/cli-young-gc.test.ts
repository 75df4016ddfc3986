import { describe, expect, it } from 'vitest';
import { youngCollector } from '../../cli/young-gc.ts';

describe('youngCollector', () => {
  it('is available on the pinned Node (not the null of a runtime without it) and takes chunk sizes', () => {
    const skipped = youngCollector(1 << 20);
    expect(skipped).not.toBeNull();
    for (let i = 0; i < 8; i++) skipped?.(256 * 1024);
  });
});
