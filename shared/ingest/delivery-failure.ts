import { BatchReadError } from '../cdr/batch-parser.ts';
import { type Delivery, deliveryFailureReason } from './delivery-failure-reason.ts';
import { batchIdOf } from './keys.ts';
import type { IngestJob } from './messages.ts';
import type { IngestPorts } from './ports.ts';

/**
 * Records a failed delivery of `job` in the manifest (best effort: the store may be what failed).
 * An unreadable batch is not recorded here: its own reason, the one that names the fix, is there
 * already (process-batch.ts). A batch with no manifest item yet, or one done, is left as it is.
 */
export async function recordDeliveryFailure(
  job: IngestJob,
  error: unknown,
  delivery: Delivery,
  ports: Pick<IngestPorts, 'manifest' | 'log'>,
): Promise<void> {
  if (error instanceof BatchReadError) return;
  const batchId = batchIdOf(job);
  try {
    // fail leaves a batch never begun, or done, as it is
    await ports.manifest.fail(batchId, deliveryFailureReason(error, delivery));
  } catch (recordError) {
    ports.log.warn('could not record the failed delivery in the manifest', {
      batchId,
      error: (recordError as Error).message,
    });
  }
}
