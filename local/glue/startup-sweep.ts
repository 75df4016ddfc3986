import type { ReconcileReport } from '../../shared/ingest/reconcile.ts';
import type { LocalWiring } from '../template/wiring.ts';
import type { LambdaRunner } from './lambda-runner.ts';

const SWEEP_ENTRY = 'functions/reconcile-batches/handler.ts';

/**
 * On start, the reconciliation sweep runs once over the whole CDR prefix with no grace period: a
 * batch uploaded just before the process was killed, whose S3 event never reached the queue, is
 * re-enqueued now. A batch whose message was restored from the queue journal too is then delivered
 * twice; the manifest makes the second delivery a no-op. Returns null when the template has no sweep.
 */
export async function sweepOnStart(
  wiring: LocalWiring,
  lambda: LambdaRunner,
): Promise<ReconcileReport | null> {
  const sweep = wiring.functions.find((fn) => fn.entry === SWEEP_ENTRY);
  if (!sweep) return null;
  return (await lambda.invoke(sweep.arn, { graceSeconds: 0, fromStart: true })) as ReconcileReport;
}
