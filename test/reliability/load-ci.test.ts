import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../load/load-run.ts';

/**
 * The load run at CI size (20 batches, 100k rows, dropped at once): totals exact, nothing in the DLQ.
 * The full size (200 batches, 2M rows) is `npm run test:load` (test/load/load-full.test.ts).
 */
describe('concurrent load through the local stack (CI size)', () => {
  it('20 batches / 100k rows at once: every row counted exactly once, nothing dead-lettered', async () => {
    const figures = await runLoad({
      repoRoot: join(import.meta.dirname, '..', '..'),
      batches: 20,
      rowsPerBatch: 5_000,
      customers: 2,
      timeoutMs: 240_000,
    });
    process.stdout.write(`load (CI size): ${JSON.stringify(figures)}\n`);
    expect(figures.problems).toEqual([]);
    expect(figures.aggregatedCalls + figures.quarantined).toBe(100_000);
  }, 300_000);
});
