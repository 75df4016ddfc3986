import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoad } from './load-run.ts';

/**
 * The full load run behind `npm run test:load`: 200 batches, 2M rows, dropped at once through the
 * local stack. LOAD_BATCHES / LOAD_ROWS_PER_BATCH / LOAD_CUSTOMERS change the size. Figures are
 * printed and written to test/load/last-run.json (RELIABILITY.md quotes them).
 */
const batches = Number(process.env.LOAD_BATCHES ?? 200);
const rowsPerBatch = Number(process.env.LOAD_ROWS_PER_BATCH ?? 10_000);
const customers = Number(process.env.LOAD_CUSTOMERS ?? 4);

describe('concurrent load through the local stack (full size)', () => {
  it(`${batches} batches x ${rowsPerBatch} rows at once: totals exact, figures recorded`, async () => {
    const figures = await runLoad({
      repoRoot: join(import.meta.dirname, '..', '..'),
      batches,
      rowsPerBatch,
      customers,
      timeoutMs: 3_600_000,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const record = {
      ...figures,
      at: new Date().toISOString(),
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
    };
    writeFileSync(join(import.meta.dirname, 'last-run.json'), `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`load (full size): ${JSON.stringify(record)}\n`);
    expect(figures.problems).toEqual([]);
    expect(figures.aggregatedCalls + figures.quarantined).toBe(batches * rowsPerBatch);
  }, 4_000_000);
});
