import type { Application } from './application.ts';
import { type CheckReason, type Risk, riskRank } from './check-reason.ts';
import { checkDeclarations, isHighVolume, isMarketing } from './declaration-checks.ts';
import type { DoNotOnboardEntry } from './do-not-onboard.ts';
import { identifiersOfApplication, identityOf } from './identity.ts';
import { checkNumbers, type NumberHolders } from './number-checks.ts';
import { matchPriorParties } from './prior-match.ts';
import { checkRmdListing, type RmdLookup } from './rmd.ts';
import { barredBecause, type CustomerStanding, checkStanding } from './standing.ts';

/** What the checks consult: the do-not-onboard list, the RMD, the DNO list and the number inventory. */
export interface CheckSources {
  doNotOnboard: readonly DoNotOnboardEntry[];
  rmd: RmdLookup;
  dno: ReadonlySet<string>;
  holders: NumberHolders;
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
function priorParties(
  app: Application,
  sources: CheckSources,
  standing: CustomerStanding | null,
): readonly DoNotOnboardEntry[] {
  const own = new Set([app.renewing_customer_id ?? app.application_id]);
  if (standing) own.add(standing.customerId);
  return sources.doNotOnboard.filter(
    (e) => e.source !== 'suspended' || e.customer_id === undefined || !own.has(e.customer_id),
  );
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
  const reasons = [
    ...checkStanding(standing),
    ...(unknownRenewal ? [unknownRenewal] : []),
    ...matchPriorParties(identityOf(identifiersOfApplication(app)), priorParties(app, sources, standing)),
    ...checkRmdListing(app, sources.rmd),
    ...checkNumbers(app, sources),
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
