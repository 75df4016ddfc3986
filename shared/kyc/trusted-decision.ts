import { appendAudit } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { auditRecordSchema } from '../audit/record.ts';
import type { CustomerRegistry } from '../cases/ports.ts';
import type { OnboardingRegistry } from './ports.ts';
import { trustedApprovalBlockedBecause } from './standing.ts';

/** The track-record audit chain (one for every tier change, in order). */
export const TRACK_RECORD_STREAM = 'track-record';

/**
 * Not a decision the registry can take: no open proposal, the customer is not `standard`, or (for an
 * approval) enforcement suspended or terminated it.
 */
export class TrustedDecisionRefused extends Error {
  override name = 'TrustedDecisionRefused';
}

/** Actions that settle a `trusted` proposal: a decision on it, or a clock reset that voids it. */
const SETTLES = new Set([
  'track_record.trusted_approved',
  'track_record.trusted_refused',
  'track_record.reset_clock',
]);

/**
 * Customers with a `trusted` proposal no executive has decided yet (and no incident has voided): the
 * latest proposal-related record in the chain is the proposal itself.
 */
export function openTrustedProposals(records: readonly unknown[]): Set<string> {
  const open = new Set<string>();
  for (const raw of records) {
    const parsed = auditRecordSchema.safeParse(raw);
    if (!parsed.success || !parsed.data.customerId) continue;
    const { action, customerId } = parsed.data;
    if (action === 'track_record.propose_trusted') open.add(customerId);
    else if (SETTLES.has(action)) open.delete(customerId);
  }
  return open;
}

/**
 * An executive's answer to a proposal to trust a customer: approval moves it to `trusted` in the
 * registry ingest reads (lighter thresholds) and restarts its tier clock; a refusal leaves it
 * `standard`. Both are records in the track-record chain naming the executive and the reason.
 * Approval reads the customer's status (the case workflow writes it) as the review does: a proposal
 * made before the customer was suspended or terminated is not approved (standing.ts says why).
 */
export async function decideTrusted(
  input: { customerId: string; decision: 'approve' | 'refuse'; reason: string; decidedBy: string },
  deps: {
    registry: OnboardingRegistry;
    customers: Pick<CustomerRegistry, 'get'>;
    audit: AuditStore;
    now?: () => Date;
  },
): Promise<{ vetting: string }> {
  const now = (deps.now ?? (() => new Date()))();
  const reason = input.reason.trim();
  if (!reason) throw new TrustedDecisionRefused('a decision needs a reason a regulator can read');
  const customer = await deps.registry.get(input.customerId);
  if (!customer)
    throw new TrustedDecisionRefused(`customer ${input.customerId} is not in the onboarding registry`);
  if (!openTrustedProposals(await deps.audit.list(TRACK_RECORD_STREAM)).has(input.customerId))
    throw new TrustedDecisionRefused(
      `customer ${input.customerId} has no open proposal for trusted vetting (the daily track-record review makes them)`,
    );
  const approve = input.decision === 'approve';
  if (approve) {
    const blocked = trustedApprovalBlockedBecause(await deps.customers.get(input.customerId));
    if (blocked) throw new TrustedDecisionRefused(blocked);
  }
  if (customer.vetting !== 'standard')
    throw new TrustedDecisionRefused(`customer ${input.customerId} is ${customer.vetting}, not standard`);
  if (approve) await deps.registry.put({ ...customer, vetting: 'trusted', tier_since: now.toISOString() });
  await appendAudit(
    deps.audit,
    TRACK_RECORD_STREAM,
    {
      actor: { role: 'executive', id: input.decidedBy },
      action: approve ? 'track_record.trusted_approved' : 'track_record.trusted_refused',
      reason,
      customerId: input.customerId,
      details: { vetting: approve ? 'trusted' : customer.vetting },
    },
    () => now,
  );
  return { vetting: approve ? 'trusted' : customer.vetting };
}
