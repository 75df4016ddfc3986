import type { Command } from 'commander';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * `traceguard quarantine show <batch>`: the rows ingest could not use in a batch, read from the
 * quarantine objects it wrote beside it in the CDR bucket (`quarantine/<batch key>`), so whoever
 * uploaded a batch sees why rows were left out without reading S3 by hand.
 */
async function show(batch: string, opts: { json?: boolean }): Promise<void> {
  const { resolveTarget } = await import('./customers.ts');
  const bucket = await resolveTarget('CDR_BUCKET');
  const key = batchKeyOf(batch, bucket);
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { readQuarantine } = await import('../shared/aws/quarantine-objects.ts');
  const parts = await readQuarantine(createAwsClients().s3, bucket, key);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ batch: `s3://${bucket}/${key}`, parts }, null, 2)}\n`);
    return;
  }
  const total = parts.reduce((n, p) => n + p.rows.length, 0);
  if (parts.length === 0) {
    process.stdout.write(
      `${terminalSafe(key)}: no row quarantined (every row was usable, or ingest has not read the batch yet)\n`,
    );
    return;
  }
  const { maskPhoneNumbers } = await import('../shared/privacy/mask-numbers.ts');
  const safe = (text: string) => terminalSafe(maskPhoneNumbers(text));
  process.stdout.write(
    `${terminalSafe(key)}: ${total} row(s) quarantined, in ${parts.map((p) => terminalSafe(p.object)).join(', ')}\n`,
  );
  // numbers masked here as in every terminal line; --json gives the rows as stored
  for (const p of parts)
    for (const row of p.rows)
      process.stdout.write(`  line ${row.line}: ${safe(row.reason)}\n    ${safe(row.raw)}\n`);
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
