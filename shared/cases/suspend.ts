import { appendAudit, auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { CaseRecord, CustomerStatus } from './model.ts';
import type { CaseStore, CustomerRegistry, Notifier } from './ports.ts';

export interface SuspendDeps {
  cases: CaseStore;
  customers: CustomerRegistry;
  notifier: Notifier;
  audit: AuditStore;
  now: () => Date;
}

/**
 * Suspends the case's customer pending review, because the case is critical: the customer's status
 * before (kept on the case, so a dismissal restores it), the Customers row, an enforcement event and
 * the case's audit record. A terminated customer stays terminated. Safe to repeat: the status kept
 * is the one before the first suspension.
 */
export async function suspendAtOnce(
  deps: SuspendDeps,
  record: CaseRecord,
  why: string,
): Promise<{ status: CustomerStatus }> {
  const profile = await deps.customers.get(record.customerId);
  const before = record.statusBeforeSuspension ?? profile?.status ?? 'active';
  const status: CustomerStatus = before === 'terminated' ? 'terminated' : 'suspended';
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
  await appendAudit(
    deps.audit,
    auditStreams.forCase(record.caseId),
    {
      actor: { role: 'system', id: 'system' },
      action: 'customer.suspended_at_once',
      reason: why,
      caseId: record.caseId,
      customerId: record.customerId,
      evidenceDigest: record.evidenceDigest ?? undefined,
      details: { statusBefore: before, statusAfter: status },
    },
    deps.now,
  );
  return { status };
}
