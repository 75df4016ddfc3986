import type { Application } from './application.ts';
import { type CheckReason, type Risk, riskRank } from './check-reason.ts';
import { matchCustomersOnFile } from './customer-match.ts';
import type { CustomerOnFile } from './customers-on-file.ts';
import { checkDeclarations, isHighVolume, isMarketing } from './declaration-checks.ts';
import type { DoNotOnboardEntry } from './do-not-onboard.ts';
import { holdersFromDeclarations } from './holders.ts';
import { identifiersOfApplication, identityOf } from './identity.ts';
import { checkNumbers, type NumberHolders } from './number-checks.ts';
import { matchPriorParties } from './prior-match.ts';
import { checkRmdListing, type RmdLookup } from './rmd.ts';
import { barredBecause, type CustomerStanding, checkStanding } from './standing.ts';

/**
 * What the checks consult: the do-not-onboard list, the RMD, the DNO list, the number inventory and
 * the customers onboarding registered.
 */
export interface CheckSources {
  doNotOnboard: readonly DoNotOnboardEntry[];
  rmd: RmdLookup;
  dno: ReadonlySet<string>;
  holders: NumberHolders;
  customers: readonly CustomerOnFile[];
}

export interface Assessment {
  risk: Risk;
  reasons: CheckReason[];
  /** why an executive must approve (empty: the analyst's approval is enough) */
  executiveBecause: string[];
  /** why no reviewer may approve it: the workflow refuses it without review (null: reviewed as usual) */
  barred: string | null;
  high_volume: boolean;
  marketing: boolean;
}

/**
 * The entries an application is compared with: all but the suspended entry of the customer it would
 * activate. That customer is judged on its status (CUSTOMER_SUSPENDED), so matching its own entry
 * would only say so twice, or flag its renewal after a reinstatement the list has not caught up with.
 */
function priorParties(sources: CheckSources, own: ReadonlySet<string>): readonly DoNotOnboardEntry[] {
  return sources.doNotOnboard.filter(
    (e) => e.source !== 'suspended' || e.customer_id === undefined || !own.has(e.customer_id),
  );
}

/** The customer ids the application would activate: its renewal's (or the id it reuses), and the one its standing was read for. */
function ownCustomerIds(app: Application, standing: CustomerStanding | null): ReadonlySet<string> {
  const own = new Set([app.renewing_customer_id ?? app.application_id]);
  if (standing) own.add(standing.customerId);
  return own;
}

/**
 * The other customers on file, each with its identity. One the do-not-onboard list holds (terminated
 * or suspended) is left to the prior-party checks, which say more of it; its numbers still count as
 * declared.
 */
function otherCustomers(sources: CheckSources, own: ReadonlySet<string>) {
  const others = sources.customers
    .filter((c) => !own.has(c.customer_id))
    .map((c) => ({ ...c, identity: identityOf(c.identifiers) }));
  const listed = new Set(sources.doNotOnboard.flatMap((e) => e.customer_id ?? []));
  return { all: others, unlisted: others.filter((c) => !listed.has(c.customer_id)) };
}

/**
 * Every automated check on an application, and the risk tier they add up to: the highest risk of any
 * reason (low when none fires). An executive approves every high-risk applicant and every
 * high-volume or marketing customer, whatever its risk. `standing` is what enforcement made of the
 * customer the application would activate (a renewal's, or one whose id it reuses): a suspended one
 * needs an executive, a terminated one is barred. `unknownRenewal` says a renewal names no customer in
 * the registry (see resolveRenewal): barred too.
 */
export function assessApplication(
  app: Application,
  sources: CheckSources,
  standing: CustomerStanding | null = null,
  unknownRenewal: CheckReason | null = null,
): Assessment {
  const applicant = identityOf(identifiersOfApplication(app));
  const own = ownCustomerIds(app, standing);
  const customers = otherCustomers(sources, own);
  const reasons = [
    ...checkStanding(standing),
    ...(unknownRenewal ? [unknownRenewal] : []),
    ...matchPriorParties(applicant, priorParties(sources, own)),
    ...matchCustomersOnFile(applicant, customers.unlisted),
    ...checkRmdListing(app, sources.rmd),
    ...checkNumbers(app, { ...sources, declaredBy: holdersFromDeclarations(customers.all) }, own),
    ...checkDeclarations(app),
  ].sort((a, b) => riskRank(b.risk) - riskRank(a.risk));
  const risk = reasons[0]?.risk ?? 'low';
  const highVolume = isHighVolume(app);
  const marketing = isMarketing(app);
  const executiveBecause = [
    ...(risk === 'high' ? ['high risk'] : []),
    ...(highVolume ? ['high-volume customer'] : []),
    ...(marketing ? ['marketing or political calling'] : []),
    ...(standing?.status === 'suspended' ? ['customer suspended by enforcement'] : []),
  ];
  return {
    risk,
    reasons,
    executiveBecause,
    barred: barredBecause(standing) ?? unknownRenewal?.detail ?? null,
    high_volume: highVolume,
    marketing,
  };
}
