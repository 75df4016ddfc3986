import {
  type DynamoHarness,
  measureWrites,
  startDynamoHarness,
  type WriteMeasurement,
  writeGrowthBatches,
} from '../test/integration/ingest-dynamo.ts';

/**
 * The ingest path's DynamoDB cost per batch (`npm run bench -- --ingest`): the same two batches as the
 * integration test "DynamoDB writes grow with windows, not rows" (90 windows, about 10k and 100k rows),
 * each processed once by processBatch on fresh tables in DynamoDB Local (S3, SNS and SQS in memory).
 * Prints one JSON object: per batch, rows, windows, write requests, items written, every request by
 * command name, and the batch's wall time. DynamoDB Local is stopped on exit, also after an error.
 * Usage: node bench/ingest-child.ts
 */
function figures(m: WriteMeasurement) {
  return {
    rows: m.out.rows,
    windows: m.out.windowsMerged,
    findings: m.out.findingsPublished,
    requests: m.requests,
    items: m.items,
    commands: m.commands,
    ms: m.ms,
  };
}

let h: DynamoHarness | undefined;
try {
  const { small, large } = writeGrowthBatches();
  h = await startDynamoHarness();
  // one throwaway batch first: table creation, SDK and JIT warm-up are not the measured batches' cost
  await measureWrites(h, small, 'cdr/warm-up.csv');
  const result = {
    small: figures(await measureWrites(h, small)),
    large: figures(await measureWrites(h, large)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(
    `ingest-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await h?.stop();
}
