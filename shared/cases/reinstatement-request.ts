import { auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { type AuditRecord, auditRecordSchema } from '../audit/record.ts';
import type { CustomerStatus } from './model.ts';
import type { CustomerProfile } from './ports.ts';

/**
 * A reinstatement takes two people: one requests it, another approves or declines it. The request
 * waiting in between is kept in the customer's audit stream (`customer#<id>`), not as an item of its
 * own in the Cases table: every step has to be in the audit log anyway, so the log is the one place
 * it is written (no item and record that could disagree after a crash between the two writes); the
 * log is append-only and chained, so a request cannot be edited or removed to hide who asked; its
 * conditional append (a sequence number written only once) is the compare-and-set two people acting
 * at once need; and the compliance operator already appends to that stream, so no new write access
 * to the Cases table, whose items the escalation workflow owns. The pending request is the last
 * request in the stream with no approval or decline after it.
 */
export const REINSTATEMENT_ACTIONS = {
  requested: 'customer.reinstatement_requested',
  declined: 'customer.reinstatement_declined',
  approved: 'customer.reinstated',
} as const;

export interface ReinstatementRequest {
  /** its record's sequence number in the customer's stream */
  seq: number;
  requestedBy: string;
  requestedAt: string;
  reason: string;
  /** the status it asks to lift, and since when: an approval holds only while that is still so */
  statusBefore: CustomerStatus;
  statusChangedAt: string | null;
  /**
   * the status an approval sets: `active`, or what the case decision that asked for it leads to (the
   * status a dismissal restores, `warned` for a warning)
   */
  restoreTo: CustomerStatus;
  /** the case whose decision asked for it (a dismissal or warning of a suspended customer), if any */
  caseId: string | null;
}

/** The customer's stream as last read (its head, for a conditional append) and its pending request. */
export async function readReinstatementRequest(
  audit: AuditStore,
  customerId: string,
): Promise<{ head: AuditRecord | null; request: ReinstatementRequest | null }> {
  const stream = auditStreams.forCustomer(customerId);
  const head = await audit.last(stream);
  if (!head) return { head, request: null };
  let request: ReinstatementRequest | null = null;
  for (const raw of await audit.list(stream)) {
    // a record that does not parse is for `audit verify` to name; it is no request
    const parsed = auditRecordSchema.safeParse(raw);
    if (!parsed.success || parsed.data.seq > head.seq) continue;
    const record = parsed.data;
    if (record.action === REINSTATEMENT_ACTIONS.requested) request = requestOf(record);
    else if (
      record.action === REINSTATEMENT_ACTIONS.declined ||
      record.action === REINSTATEMENT_ACTIONS.approved
    )
      request = null;
  }
  return { head, request };
}

function requestOf(record: AuditRecord): ReinstatementRequest {
  const details = record.details ?? {};
  return {
    seq: record.seq,
    requestedBy: record.actor.id,
    requestedAt: record.at,
    reason: record.reason,
    statusBefore: String(details.statusBefore) as CustomerStatus,
    statusChangedAt: typeof details.statusChangedAt === 'string' ? details.statusChangedAt : null,
    // a request made before decisions could ask for one restores `active`, as all requests then did
    restoreTo: typeof details.restoreTo === 'string' ? (details.restoreTo as CustomerStatus) : 'active',
    caseId: typeof details.decidedInCase === 'string' ? details.decidedInCase : null,
  };
}

/** Why the request no longer holds (the status it asked to lift was changed since), or null. */
export function requestLapsedBecause(request: ReinstatementRequest, profile: CustomerProfile): string | null {
  const now = profile.statusChangedAt ?? null;
  if (profile.status === request.statusBefore && now === request.statusChangedAt) return null;
  return (
    `the status changed since the reinstatement was requested (${request.statusBefore}` +
    `${request.statusChangedAt ? ` since ${request.statusChangedAt}` : ''} then, ${profile.status}` +
    `${now ? ` since ${now}` : ''} now)`
  );
}
