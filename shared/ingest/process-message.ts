import { watchDeliveryDeadline } from './delivery-deadline.ts';
import { recordDeliveryFailure } from './delivery-failure.ts';
import type { Delivery } from './delivery-failure-reason.ts';
import { parseIngestMessage } from './messages.ts';
import type { IngestPorts } from './ports.ts';
import {
  type BatchOutcome,
  DEFAULT_INGEST_OPTIONS,
  type IngestOptions,
  processBatch,
} from './process-batch.ts';

/**
 * One IngestQueue message: an S3 event (possibly several records), the s3:TestEvent S3 sends when
 * notifications are configured, or a continuation. Throws (message redelivered) on any failure.
 */
export async function processMessage(
  body: string,
  ports: IngestPorts,
  options: IngestOptions = DEFAULT_INGEST_OPTIONS,
  delivery?: Delivery,
): Promise<BatchOutcome[]> {
  const message = parseIngestMessage(body);
  if (message.kind === 'test') {
    ports.log.info('s3:TestEvent ignored');
    return [];
  }
  if (message.ignoredEvents.length) {
    ports.log.info('non-ObjectCreated S3 events ignored', { events: message.ignoredEvents });
  }
  const outcomes: BatchOutcome[] = [];
  for (const job of message.jobs) {
    const stopWatch = delivery ? watchDeliveryDeadline(job, delivery, ports) : () => {};
    try {
      outcomes.push(await processBatch(job, ports, options));
    } catch (error) {
      stopWatch();
      if (delivery) await recordDeliveryFailure(job, error, delivery, ports);
      throw error;
    } finally {
      stopWatch();
    }
  }
  return outcomes;
}
