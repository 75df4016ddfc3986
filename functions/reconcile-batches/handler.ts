import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ScheduledEvent } from 'aws-lambda';
import { createAwsClients } from '../../shared/aws/clients.ts';
import {
  readReconcileConfig,
  reconcilePortsOf,
  reconcileRequest,
} from '../../shared/aws/reconcile-config.ts';
import { reconcileBatches } from '../../shared/ingest/reconcile.ts';
import { powertools, withPowertools } from '../powertools.ts';

/**
 * EventBridge schedule (or a direct invoke `{ "dryRun": true, "graceSeconds": 0, "fromStart": true }`):
 * re-enqueue CDR objects missing from the manifest and publish how many were found.
 */
const config = readReconcileConfig();
const tools = powertools();
const { logger, metrics } = tools;
const ports = reconcilePortsOf(createAwsClients(), config);

// metrics are flushed by the middleware after every invocation, a failed one included
export const handler = withPowertools(
  async (event: Partial<ScheduledEvent> | Record<string, unknown> = {}) => {
    const report = await reconcileBatches(ports, reconcileRequest(event, config));
    metrics.addMetric('CdrObjectsMissing', MetricUnit.Count, report.missing.length);
    metrics.addMetric(
      'CdrObjectsStillFailing',
      MetricUnit.Count,
      report.missing.filter((m) => m.action === 'still-failing').length,
    );
    // object keys and batch ids name switches and files, never calls or numbers
    for (const m of report.missing) logger.warn('CDR object missing from the manifest', { ...m });
    logger.info('reconciliation run', {
      scanned: report.scanned,
      young: report.young,
      missing: report.missing.length,
      checkpoint: report.checkpoint,
    });
    return report;
  },
  tools,
);
