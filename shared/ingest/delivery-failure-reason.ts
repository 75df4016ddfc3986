import { MAX_RECEIVE_COUNT } from '../config/deliveries.ts';

/** Which receive of its message this is (SQS ApproximateReceiveCount), of how many before the dead-letter queue. */
export interface Delivery {
  receive: number;
  maxReceives: number;
}

/** A delivery from an SQS record's ApproximateReceiveCount (1 when missing or unreadable). */
export function deliveryOf(approximateReceiveCount: string | undefined): Delivery {
  const receive = Number(approximateReceiveCount);
  return { receive: Number.isInteger(receive) && receive > 0 ? receive : 1, maxReceives: MAX_RECEIVE_COUNT };
}

/** A delivery of an ingest message that ran out of its invocation's time (the function's timeout). */
export class DeliveryTimedOutError extends Error {
  override name = 'DeliveryTimedOutError';
  constructor(timeoutSeconds: number) {
    super(`timed out after ${timeoutSeconds} s (the function's timeout)`);
  }
}

/**
 * What the manifest records for a batch whose delivery failed, for `traceguard quarantine show`: which
 * delivery, the error, and what happens next. Without it, a batch failing on a store outage or a
 * missing permission read as "still reading" there, through every retry and in the dead-letter queue.
 */
export function deliveryFailureReason(error: unknown, delivery: Delivery): string {
  const message = error instanceof Error ? error.message : String(error);
  // a timeout is no error the handler met: it is said as what happened (delivery-deadline.ts)
  const timedOut = error instanceof DeliveryTimedOutError;
  if (delivery.receive >= delivery.maxReceives)
    return (
      `all ${delivery.maxReceives} deliveries of its message failed, the last ${timedOut ? message : `with: ${message}`}; ` +
      'the message waits in the dead-letter queue: fix the cause, then redrive it (traceguard dlq redrive IngestQueue)'
    );
  return (
    `delivery ${delivery.receive} of ${delivery.maxReceives} ${timedOut ? message : `failed with: ${message}`}; ` +
    `SQS delivers it again after the queue's visibility timeout (then the dead-letter queue after delivery ${delivery.maxReceives})`
  );
}

/** Whether a manifest failure is a failed delivery's (deliveryFailureReason), not an unreadable batch's. */
export function isDeliveryFailure(failure: string): boolean {
  return /^(delivery \d+ of \d+|all \d+ deliveries) /.test(failure);
}

/** Whether a manifest failure says every delivery failed and the message went to the dead-letter queue. */
export function isDeadLettered(failure: string): boolean {
  return /^all \d+ deliveries /.test(failure);
}
