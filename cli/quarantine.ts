import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/**
 * `traceguard quarantine show <batch>`: the rows ingest could not use in a batch, read from the
 * quarantine objects it wrote beside it in the CDR bucket (`quarantine/<batch key>`), so whoever
 * uploaded a batch sees why rows were left out without reading S3 by hand. Only the objects the
 * latest ingest wrote are listed (the manifest of the batch now under the key says which parts it
 * quarantined rows in); objects an earlier upload under the same key left are named as such. A batch
 * ingest refused (a re-upload that changes a batch already counted under its key) says so and why.
 */
async function show(batch: string, opts: { json?: boolean }): Promise<void> {
  const { resolveTarget } = await import('./customers.ts');
  const bucket = await resolveTarget('CDR_BUCKET');
  const key = batchKeyOf(batch, bucket);
  const manifestTable = await resolveTarget('MANIFEST_TABLE');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { DynamoManifestStore } = await import('../shared/aws/manifest-store.ts');
  const { readBatchQuarantine } = await import('../shared/aws/quarantine-objects.ts');
  const clients = createAwsClients();
  const found = await readBatchQuarantine(
    clients.s3,
    new DynamoManifestStore(clients.doc, manifestTable),
    bucket,
    key,
  );
  // a key that holds no batch is most likely mistyped: a script checking a batch must not take it for clean
  if (found.ingest === 'none') process.exitCode = 1;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ batch: `s3://${bucket}/${key}`, ...found }, null, 2)}\n`);
    return;
  }
  const { quarantineText } = await import('./quarantine-text.ts');
  const text = quarantineText(key, found);
  // no batch under the key is an error (exit 1), said where errors go: a pipe reading the rows gets none
  (found.ingest === 'none' ? process.stderr : process.stdout).write(`${text.join('\n')}\n`);
}

/** The batch's object key from `cdr/<switch>/<name>` or `s3://<cdr bucket>/cdr/...`, as upload prints it. */
export function batchKeyOf(batch: string, bucket: string): string {
  const url = /^s3:\/\/([^/]+)\/(.+)$/.exec(batch);
  if (url && url[1] !== bucket) throw new UsageError(`${batch} is not in the CDR bucket (s3://${bucket}/)`);
  const key = url ? url[2] : batch;
  if (!/^cdr\/[^/]+\/.+/.test(key))
    throw new UsageError(
      `${batch}: give the batch's key, cdr/<switch>/<name> (as traceguard upload printed it)`,
    );
  return key;
}

export function register(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('Rows ingest could not use, kept beside their batch in the CDR bucket');
  quarantine
    .command('show')
    .description("A batch's quarantined rows: line number, reason and the row")
    .argument('<batch>', 'the batch: cdr/<switch>/<name> or s3://<cdr bucket>/cdr/...')
    .option('--json', 'print the rows as stored (numbers unmasked)')
    .action((batch: string, opts: { json?: boolean }) => show(batch, opts));
}
