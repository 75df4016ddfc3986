import type { TracebackAnswer } from './answer.ts';
import type { FirstAnswer } from './ports.ts';
import type { TracebackRequestDocument } from './request.ts';

/**
 * A traceback request as stored (docs/wiring.md: `TB#<traceback_id>` / `TB`). `status` is what the
 * byStatus index sorts by deadline: `open` until answered. `alertsSent` remembers each deadline alert
 * already sent, so the watcher sends each one once.
 */
export interface TracebackRecord {
  tracebackId: string;
  status: 'open' | 'answered';
  receivedAt: string;
  deadline: string;
  callTime: string;
  requester: string;
  campaign: string;
  request: TracebackRequestDocument;
  answer?: TracebackAnswer;
  answeredAt?: string;
  /**
   * the answer first given, kept when a search of late batches replaced it (a `not_found` that became
   * `found`, or a `not_found` over more batches): what the requester may have been told
   */
  firstAnswer?: FirstAnswer;
  /** the customer the answer named (first match), for history and events */
  customerId?: string;
  trunkId?: string;
  repeatCount?: number;
  severity?: string;
  /** set once the traceback event reached ComplianceEvents */
  eventPublishedAt?: string;
  alertsSent: string[];
}
