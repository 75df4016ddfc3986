import { appendAudit, auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { auditRecordSchema } from '../audit/record.ts';
import type { CaseRecord, CustomerStatus } from './model.ts';
import type { CaseStore, CustomerRegistry, Notifier } from './ports.ts';

export interface SuspendDeps {
  cases: CaseStore;
  customers: CustomerRegistry;
  notifier: Notifier;
  audit: AuditStore;
  now: () => Date;
}

const SUSPENDED_AT_ONCE = 'customer.suspended_at_once';
/** the case's record that a terminated customer was left as it is (also written by a decided case) */
export const TERMINATION_KEPT = 'customer.termination_kept';

/** The status the case's suspension at once left the customer in, if its audit record is written. */
async function suspendedAtOnceStatus(audit: AuditStore, caseId: string): Promise<CustomerStatus | null> {
  for (const raw of await audit.list(auditStreams.forCase(caseId))) {
    const parsed = auditRecordSchema.safeParse(raw);
    if (parsed.success && parsed.data.action === SUSPENDED_AT_ONCE)
      return (parsed.data.details?.statusAfter as CustomerStatus | undefined) ?? 'suspended';
    if (parsed.success && parsed.data.action === TERMINATION_KEPT) return 'terminated';
  }
  return null;
}

/**
 * Suspends the case's customer pending review, because the case is critical: the customer's status
 * before (kept on the case, so a dismissal restores it), the Customers row (which lists a suspended
 * customer on the do-not-onboard list), an enforcement event, what else the caller announces (a page)
 * and the case's audit record. A terminated customer is left as it is: no status written (that kept
 * the termination's status but put this case's reason in place of the termination's), no `suspend`
 * event for switch provisioning, and no status before kept, so a dismissal has nothing to restore
 * (it once sent provisioning a `reinstate` for a customer whose termination is final).
 *
 * Safe to repeat after a crash at any point: the status before is saved first and read back by a
 * retry (so a retry never takes 'suspended' for it), the status and the list are idempotent writes,
 * and the audit record, written last, marks the suspension done: a retry that finds it does nothing
 * more, so neither the event nor the record is doubled. A crash between the event and the record
 * publishes the event again (switch provisioning hears of the suspension twice rather than never).
 */
export async function suspendAtOnce(
  deps: SuspendDeps,
  record: CaseRecord,
  why: string,
  announce?: (status: CustomerStatus) => Promise<void>,
): Promise<{ status: CustomerStatus }> {
  const done = await suspendedAtOnceStatus(deps.audit, record.caseId);
  if (done) return { status: done };
  const profile = await deps.customers.get(record.customerId);
  const before = record.statusBeforeSuspension ?? profile?.status ?? 'active';
  if (before === 'terminated' || profile?.status === 'terminated') {
    // the case is critical all the same (what the caller marked on it), with no status kept to restore
    await deps.cases.save({ ...record, updatedAt: deps.now().toISOString() });
    await announce?.('terminated');
    await recordDone(
      deps,
      record,
      TERMINATION_KEPT,
      `${why}; the customer is terminated already: nothing to suspend`,
      {
        statusBefore: 'terminated',
        statusAfter: 'terminated',
      },
    );
    return { status: 'terminated' };
  }
  const status: CustomerStatus = 'suspended';
  const at = deps.now().toISOString();
  await deps.cases.save({ ...record, statusBeforeSuspension: before, updatedAt: at });
  await deps.customers.setStatus(record.customerId, status, why);
  await deps.notifier.publishEnforcement({
    type: 'enforcement',
    case_id: record.caseId,
    customer_id: record.customerId,
    action: 'suspend',
    status,
    reason: why,
    decided_by: [],
    at,
  });
  await announce?.(status);
  await recordDone(deps, record, SUSPENDED_AT_ONCE, why, { statusBefore: before, statusAfter: status });
  return { status };
}

/** The case's audit record that marks the suspension at once done (suspendedAtOnceStatus reads it back). */
async function recordDone(
  deps: SuspendDeps,
  record: CaseRecord,
  action: typeof SUSPENDED_AT_ONCE | typeof TERMINATION_KEPT,
  reason: string,
  details: { statusBefore: CustomerStatus; statusAfter: CustomerStatus },
): Promise<void> {
  await appendAudit(
    deps.audit,
    auditStreams.forCase(record.caseId),
    {
      actor: { role: 'system', id: 'system' },
      action,
      reason,
      caseId: record.caseId,
      customerId: record.customerId,
      evidenceDigest: record.evidenceDigest ?? undefined,
      details,
    },
    deps.now,
  );
}
