import type { Command } from 'commander';
import { targetConfig, wholeSeconds } from './options.ts';

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
  const grace = wholeSeconds('--grace', opts.grace);
  const { readReconcileConfig, reconcilePortsOf, reconcileRequest } = await import(
    '../shared/aws/reconcile-config.ts'
  );
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { reconcileBatches } = await import('../shared/ingest/reconcile.ts');
  const config = await targetConfig(readReconcileConfig);
  const request = reconcileRequest(
    // --grace is for both: an operator's `--grace 0` takes a batch whose ingest just failed too
    {
      dryRun: Boolean(opts.dryRun),
      graceSeconds: grace,
      staleSeconds: grace,
      fromStart: Boolean(opts.fromStart),
    },
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
