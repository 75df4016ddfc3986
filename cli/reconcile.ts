import type { Command } from 'commander';
import { UsageError } from './errors.ts';

interface ReconcileCliOptions {
  dryRun?: boolean;
  grace?: string;
  fromStart?: boolean;
  json?: boolean;
}

/**
 * `traceguard reconcile [--dry-run]`: the scheduled sweep, run now from this shell with the same code
 * and the same checkpoint (AWS, or the local stack through `.data/endpoints.json`).
 */
async function reconcile(opts: ReconcileCliOptions): Promise<void> {
  const grace = opts.grace === undefined ? undefined : Number(opts.grace);
  if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0))
    throw new UsageError(`--grace '${opts.grace}' must be a whole number of seconds, 0 or more`);
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const { readReconcileConfig, reconcilePortsOf, reconcileRequest } = await import(
    '../shared/aws/reconcile-config.ts'
  );
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { reconcileBatches } = await import('../shared/ingest/reconcile.ts');
  resolveCliTarget();
  let config: ReturnType<typeof readReconcileConfig>;
  try {
    config = readReconcileConfig(process.env);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
  }
  const request = reconcileRequest(
    { dryRun: Boolean(opts.dryRun), graceSeconds: grace, fromStart: Boolean(opts.fromStart) },
    config,
  );
  const report = await reconcileBatches(reconcilePortsOf(createAwsClients(), config), request);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const m of report.missing)
    process.stdout.write(`${m.action.padEnd(14)} ${m.key}  (written ${m.lastModified})\n`);
  const verb = opts.dryRun ? 'would re-enqueue' : 're-enqueued';
  const count = (action: string) => report.missing.filter((m) => m.action === action).length;
  process.stdout.write(
    `${report.scanned} objects under cdr/ checked, ${report.young} within the ${request.graceMs / 1000} s grace period; ` +
      `${count(opts.dryRun ? 'would-requeue' : 'requeued')} ${verb}, ${count('still-failing')} still failing after a re-enqueue` +
      `${report.checkpoint ? `; the next run continues after ${report.checkpoint}` : ''}\n`,
  );
}

export function register(program: Command): void {
  program
    .command('reconcile')
    .description(
      'Find CDR objects that never reached the batch manifest and re-enqueue them for ingest (once each)',
    )
    .option('--dry-run', 'only list what would be re-enqueued; change nothing')
    .option(
      '--grace <seconds>',
      'how old an object must be to count as missing (default: the deployed setting)',
    )
    .option('--from-start', 'check the whole cdr/ listing, not from where the last run stopped')
    .option('--json', 'print the report as JSON')
    .action((opts: ReconcileCliOptions) => reconcile(opts));
}
