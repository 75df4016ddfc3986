import type { AuditStore } from '../audit/ports.ts';
import { submitApplication } from './intake.ts';
import type { DossierStore, OnboardingStarter, RegisteredCustomer } from './ports.ts';

/** The longest application id the intake accepts. */
const MAX_APPLICATION_ID = 80;

/**
 * Re-verification of a customer: its last dossier's application is submitted again as a renewal
 * (`renewing_customer_id`), so the same checks run against today's lists (do-not-onboard, RMD, DNO,
 * numbers held by others) and the same reviewers decide; activation keeps the tier the customer earned
 * and restarts its verification clock. One renewal per verification cycle: its id is made from the
 * date the customer was last verified, so the daily review asking again finds it already running.
 * Null when the customer has no dossier (registered before onboarding existed): that takes a person.
 */
export async function startReverification(
  customer: RegisteredCustomer,
  deps: { dossiers: DossierStore; starter: OnboardingStarter; audit: AuditStore; now?: () => Date },
): Promise<{ applicationId: string; started: 'started' | 'already' } | null> {
  const last = await deps.dossiers.forCustomer(customer.customer_id);
  if (!last) return null;
  const cycle = customer.verified_at.slice(0, 10);
  const applicationId = `REVERIFY-${cycle}-${customer.customer_id}`.slice(0, MAX_APPLICATION_ID);
  const { dossier, started } = await submitApplication(
    { ...last.application, application_id: applicationId, renewing_customer_id: customer.customer_id },
    'track-record review',
    `re-verification of ${customer.customer_id}`,
    deps,
  );
  return { applicationId: dossier.applicationId, started };
}
