import { recordDeliveryFailure } from './delivery-failure.ts';
import { type Delivery, DeliveryTimedOutError } from './delivery-failure-reason.ts';
import type { IngestJob } from './messages.ts';
import type { IngestPorts } from './ports.ts';

/**
 * How long before the invocation's end a delivery still running records that it timed out: a
 * DynamoDB update takes milliseconds, and middy ends the handler 5 ms before the deadline.
 */
export const TIMEOUT_RECORD_MARGIN_MS = 2_000;

/**
 * Records in the manifest, as the invocation's time runs out, that this delivery of `job` timed out:
 * Lambda ends a timed-out handler without a word, so nothing after the deadline could record it, and
 * `quarantine show` would read "still reading" for the half hour until SQS delivers the message again.
 * A delivery that still finishes in the last moments clears it (finish, checkpoint), and one that fails
 * records its own error over it. Returns the stop, for when the job ends first.
 */
export function watchDeliveryDeadline(
  job: IngestJob,
  delivery: Delivery,
  ports: Pick<IngestPorts, 'manifest' | 'log' | 'clock'>,
): () => void {
  const remaining = ports.clock.remainingMs();
  // no deadline to watch (a shell), or none we could record before
  if (!Number.isFinite(remaining) || remaining <= TIMEOUT_RECORD_MARGIN_MS || remaining > 2 ** 31 - 1)
    return () => {};
  // the invocation began moments before the job: its time left now, in whole seconds, is its timeout
  const timeoutSeconds = Math.round(remaining / 1000);
  const timer = setTimeout(() => {
    void recordDeliveryFailure(job, new DeliveryTimedOutError(timeoutSeconds), delivery, ports);
  }, remaining - TIMEOUT_RECORD_MARGIN_MS);
  // never what keeps a process alive (a test, a CLI)
  timer.unref();
  return () => clearTimeout(timer);
}
