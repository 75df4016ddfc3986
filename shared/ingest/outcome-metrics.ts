import type { BatchOutcome } from './process-batch.ts';

/**
 * The metrics (name, count) the ingest function publishes for one batch outcome. `RefusedReuploads`
 * is alarmed on: a switch sent a changed version of a batch already counted under its key, whose
 * calls are not counted anywhere until they are sent under a new key.
 */
export function outcomeMetrics(o: BatchOutcome): Array<[string, number]> {
  const metrics: Array<[string, number]> = [
    ['Rows', o.rows],
    ['QuarantinedRows', o.quarantined],
    ['UnattributedRows', o.unattributed],
    ['UnregisteredCustomerCalls', o.unregistered],
    ['WindowsMerged', o.windowsMerged],
    ['FindingsPublished', o.findingsPublished],
  ];
  if (o.status === 'continued') metrics.push(['Continuations', 1]);
  if (o.status === 'refused') metrics.push(['RefusedReuploads', 1]);
  return metrics;
}
