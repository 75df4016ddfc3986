import { join } from 'node:path';
import { runLoad } from '../test/load/load-run.ts';

/**
 * Rows through the whole local stack end to end (`npm run bench -- --stack-rows 1000000`): runLoad
 * (test/load/load-run.ts) drops `batches` objects of rows / batches rows each at once into the CDR
 * bucket of the local stack (synthesized template, real ingest handler, DynamoDB Local) and waits until
 * every batch is done. Prints the LoadFigures as one JSON object, the last line on stdout (the handlers'
 * log lines come before it); progress goes to stderr.
 * Usage: node bench/stack-child.ts <rows> <batches> [customers]
 */
const [rowsText, batchesText, customersText = '4'] = process.argv.slice(2);
const rows = Number(rowsText);
const batches = Number(batchesText);
const customers = Number(customersText);
if (![rows, batches, customers].every((n) => Number.isInteger(n) && n > 0) || rows % batches !== 0) {
  process.stderr.write(
    'usage: node bench/stack-child.ts <rows> <batches> [customers] (rows a multiple of batches)\n',
  );
  process.exit(2);
}

const figures = await runLoad({
  repoRoot: join(import.meta.dirname, '..'),
  batches,
  rowsPerBatch: rows / batches,
  customers,
  timeoutMs: 3_600_000,
  // the figures are the batches' (manifest, aggregates), final once the last batch is done; the
  // alerts and escalations 1M rows raise can keep the stack busy for minutes after that
  idleTimeoutMs: 0,
  log: (line) => process.stderr.write(`stack-child: ${line}\n`),
});
process.stdout.write(`${JSON.stringify(figures)}\n`);
// totals that do not add up fail the bench (a figure from a broken run is worse than none)
for (const problem of figures.problems) process.stderr.write(`stack-child: ${problem}\n`);
// the stack is stopped; nothing left over (SDK sockets, timers) may keep the bench waiting
process.exit(figures.problems.length === 0 ? 0 : 1);
