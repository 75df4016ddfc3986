import type { ReconcileReport } from '../../shared/ingest/reconcile.ts';
import type { LocalWiring } from '../template/wiring.ts';
import type { LambdaRunner } from './lambda-runner.ts';

const SWEEP_ENTRY = 'functions/reconcile-batches/handler.ts';

/**
 * On start, the reconciliation sweep runs once over the whole CDR prefix with no grace period for
 * objects the manifest has never seen: a batch uploaded just before the process was killed, whose S3
 * event never reached the queue, is re-enqueued now. A batch whose ingest began is judged as the
 * schedule judges it (its message is back on the queue from the journal, waiting for its retry, or in
 * the dead-letter queue): re-enqueued once when it began longer ago than the deployed grace and never
 * finished. A batch whose message was restored from the queue journal too is then delivered twice; the
 * manifest makes the second delivery a no-op. Returns null when the template has no sweep.
 */
export async function sweepOnStart(
  wiring: LocalWiring,
  lambda: LambdaRunner,
  progress: (step: string) => void = () => {},
): Promise<ReconcileReport | null> {
  const sweep = wiring.functions.find((fn) => fn.entry === SWEEP_ENTRY);
  if (!sweep) return null;
  progress('reconciliation sweep over the CDR bucket (a cold start of reconcile-batches)');
  return (await lambda.invoke(sweep.arn, { graceSeconds: 0, fromStart: true })) as ReconcileReport;
}

/**
 * What `npm start` says about the sweep on start: the objects it re-enqueued, and apart from them the
 * ones it re-enqueued on an earlier run that still fail (each is re-enqueued once, never again).
 */
export function startupSweepLines(report: ReconcileReport | null): string[] {
  const keys = (action: string) => report?.missing.filter((m) => m.action === action).map((m) => m.key) ?? [];
  const requeued = keys('requeued');
  const failing = keys('still-failing');
  const lines: string[] = [];
  if (requeued.length > 0)
    lines.push(
      `${requeued.length} CDR object(s) never ingested (no manifest entry, or an ingest that began ` +
        `before the grace period and never finished); re-enqueued once: ${requeued.join(', ')}`,
    );
  if (failing.length > 0)
    lines.push(
      `${failing.length} CDR object(s) still not ingested after their one re-enqueue; they wait for an ` +
        `SQS retry or in the dead-letter queue (npx traceguard dlq list), not re-enqueued again: ${failing.join(', ')}`,
    );
  return lines;
}
