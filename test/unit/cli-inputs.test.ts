import { describe, expect, it } from 'vitest';
import { appendInPathOrder } from '../../cli/inputs.ts';

describe('input files', () => {
  it('a directory of 200,000 batches joins the list whole, in path order, after the files named before it', () => {
    const out = [{ path: '/in/first.csv', size: 1 }];
    const n = 200_000;
    // listed in reverse, as a directory may list them
    const found = Array.from({ length: n }, (_, i) => ({
      path: `/in/month/b${String(n - 1 - i).padStart(6, '0')}.csv`,
      size: 0,
    }));
    appendInPathOrder(out, found);
    expect(out).toHaveLength(n + 1);
    expect(out[0].path).toBe('/in/first.csv');
    expect(out[1].path).toBe('/in/month/b000000.csv');
    expect(out[n].path).toBe('/in/month/b199999.csv');
    let unordered = 0;
    for (let i = 2; i <= n; i++) if (!(out[i - 1].path < out[i].path)) unordered++;
    expect(unordered).toBe(0);
  });
});
