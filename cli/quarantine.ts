import type { Command } from 'commander';
import type { BatchQuarantine, QuarantinePart } from '../shared/aws/quarantine-objects.ts';
import { isDeliveryFailure } from '../shared/ingest/delivery-failure-reason.ts';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

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
  const { maskPhoneNumbers } = await import('../shared/privacy/mask-numbers.ts');
  const text = quarantineText(key, found, (t) => terminalSafe(maskPhoneNumbers(t)));
  // no batch under the key is an error (exit 1), said where errors go: a pipe reading the rows gets none
  (found.ingest === 'none' ? process.stderr : process.stdout).write(`${text.join('\n')}\n`);
}

/** The lines `show` prints: the latest ingest's rows (`safe` masks and cleans), then what else is there. */
function quarantineText(key: string, found: BatchQuarantine, safe: (text: string) => string): string[] {
  const { parts, earlier, ingest, refused, repeatOf, failure, totals } = found;
  const rows = (list: QuarantinePart[]) => list.reduce((n, p) => n + p.rows.length, 0);
  const objects = (list: QuarantinePart[]) => list.map((p) => terminalSafe(p.object)).join(', ');
  const name = terminalSafe(key);
  const lines: string[] = [];
  if (refused !== null) lines.push(`${name}: refused, none of its calls counted: it ${safe(refused)}`);
  else if (repeatOf !== null)
    lines.push(
      `${name}: a repeat, none of its calls counted again: it holds the calls of s3://${safe(repeatOf)}, which counted them`,
    );
  else if (parts.length > 0) {
    lines.push(`${name}: ${rows(parts)} row(s) quarantined, in ${objects(parts)}`);
    // numbers masked here as in every terminal line; --json gives the rows as stored
    // the row as the switch wrote it, without the line end a CSV record keeps
    for (const p of parts)
      for (const row of p.rows)
        lines.push(`  line ${row.line}: ${safe(row.reason)}\n    ${safe(row.raw.replace(/\r?\n$/, ''))}`);
    if (ingest === 'processing') lines.push('ingest is still reading the batch: later parts may add rows');
  } else if (ingest === 'none') lines.push(`${name}: no batch under this key in the CDR bucket`);
  else if (ingest === 'unread') lines.push(`${name}: ingest has not read the batch under this key yet`);
  else if (ingest === 'failed' && failure !== null && isDeliveryFailure(failure))
    lines.push(`${name}: ingest failed: ${safe(failure)}`);
  else if (ingest === 'failed')
    lines.push(
      `${name}: ingest failed: it cannot read the batch: ${safe(failure ?? 'no reason recorded')}` +
        ' (its message is retried, then dead-lettered: traceguard dlq list)',
    );
  else if (ingest === 'processing')
    lines.push(`${name}: no row quarantined so far (ingest is still reading it)`);
  else lines.push(`${name}: no row quarantined (every row was usable)`);
  // what an operator checks rows = calls + quarantined with, without reading the manifest by hand
  if (totals !== null && refused === null && repeatOf === null) lines.push(doneLine(totals));
  if (earlier.length > 0)
    lines.push(
      `not listed: ${rows(earlier)} row(s) in ${objects(earlier)}, left by the ingest of an earlier upload under this key, ` +
        'not about the batch there now (--json lists them under "earlier")',
    );
  return lines;
}

/**
 * rows = calls + quarantined for the rows this upload added: a file re-uploaded under its key with
 * more rows (a growing Master.csv) is read from where the earlier upload stopped, so the line says
 * how many rows that one counted and how many the file holds in all
 */
function doneLine(totals: NonNullable<BatchQuarantine['totals']>): string {
  const counts = `${totals.calls} call(s) counted, ${totals.quarantined} quarantined`;
  const earlier = totals.alreadyCounted ?? 0;
  if (earlier === 0) return `ingest done: ${totals.rows} row(s): ${counts}`;
  return (
    `ingest done: ${totals.rows} row(s) after the ${earlier} an earlier upload under this key counted ` +
    `(${earlier + totals.rows} in the file): ${counts}`
  );
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
