import { appendAudit, auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { barredBecause } from '../kyc/standing.ts';
import { reviewDecisionSchema } from './decision.ts';
import type { CustomerStatus } from './model.ts';
import type { CaseStore, CustomerRegistry, Notifier } from './ports.ts';
import { StatusChangedMeanwhile } from './status-changed.ts';

export class ReinstatementRefused extends Error {
  override name = 'ReinstatementRefused';
}

/** The reason and person rules are the reviews': a reason a regulator can read, a person not named 'system'. */
const reinstatementSchema = reviewDecisionSchema.pick({ reason: true, decidedBy: true });

/**
 * A person lifts a suspension (or a warning) that a case decided: the customer is `active` again in
 * the Customers table, an enforcement event tells switch provisioning to let its traffic through,
 * and the customer's audit stream records who and why. Refused, saying why: a termination (final: the
 * business can only come back as a new customer, which an executive approves, as onboarding says),
 * a customer with a case still open (its review decides; a dismissal restores the status), an active
 * or unknown customer.
 */
export async function reinstateCustomer(
  input: { customerId: string; reason: unknown; decidedBy: string },
  deps: {
    customers: CustomerRegistry;
    cases: Pick<CaseStore, 'listForCustomer'>;
    notifier: Notifier;
    audit: AuditStore;
    now?: () => Date;
  },
): Promise<{ before: CustomerStatus; status: CustomerStatus }> {
  const { customerId } = input;
  const parsed = reinstatementSchema.safeParse({ reason: input.reason, decidedBy: input.decidedBy });
  if (!parsed.success)
    throw new ReinstatementRefused(
      `customer ${customerId}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  const { reason, decidedBy } = parsed.data;
  const profile = await deps.customers.get(customerId);
  if (!profile)
    throw new ReinstatementRefused(`customer ${customerId} is not in the registry: nothing to reinstate`);
  const barred = barredBecause(profile);
  if (barred) throw new ReinstatementRefused(`customer ${customerId} cannot be reinstated: ${barred}`);
  if (profile.status === 'active')
    throw new ReinstatementRefused(`customer ${customerId} is active: nothing to reinstate`);
  const cases = await deps.cases.listForCustomer(customerId);
  const open = cases.find((c) => c.status !== 'closed' && c.status !== 'failed');
  if (open)
    throw new ReinstatementRefused(
      `customer ${customerId} has case ${open.caseId} open (${open.awaitingStage ? `waiting for the ${open.awaitingStage} review` : open.status}): ` +
        `its review decides the customer's status (a dismissal restores the status it had): traceguard cases decide ${open.caseId}`,
    );
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  const before = profile.status;
  const why = `reinstated by ${decidedBy}: ${reason}`;
  // the case that put the customer where it is, for switch provisioning (none: imported that way)
  const lastCase = cases[0]?.caseId ?? '';
  try {
    // only over the status read above: of two people reinstating at once, the second is refused
    await deps.customers.setStatus(customerId, 'active', why, before);
  } catch (e) {
    if (e instanceof StatusChangedMeanwhile) throw new ReinstatementRefused(e.message);
    throw e;
  }
  await deps.notifier.publishEnforcement({
    type: 'enforcement',
    case_id: lastCase,
    customer_id: customerId,
    action: 'reinstate',
    status: 'active',
    reason: why,
    decided_by: [decidedBy],
    at,
  });
  await appendAudit(
    deps.audit,
    auditStreams.forCustomer(customerId),
    {
      actor: { role: 'analyst', id: decidedBy },
      action: 'customer.reinstated',
      reason,
      customerId,
      ...(lastCase ? { caseId: lastCase } : {}),
      details: { statusBefore: before, statusAfter: 'active' },
    },
    () => new Date(at),
  );
  return { before, status: 'active' };
}
