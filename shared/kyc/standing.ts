import type { CustomerProfile } from '../cases/ports.ts';
import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';
import type { CheckReason } from './check-reason.ts';
import type { Dossier } from './dossier.ts';

/**
 * What enforcement made of the customer an application would activate: its status in the customer
 * store the case workflow writes (null when the store has no row for it, a customer never seen).
 */
export type CustomerStanding = Pick<
  CustomerProfile,
  'customerId' | 'status' | 'statusReason' | 'statusChangedAt'
>;

/**
 * `terminated on 2026-11-01T00:00:00Z (case ...: why)`, or `suspended since ...` for a status still
 * in force; phone numbers masked, since it goes to notifications.
 */
function since(standing: CustomerStanding): string {
  const word = standing.status === 'suspended' ? 'since' : 'on';
  const when = standing.statusChangedAt ? ` ${word} ${standing.statusChangedAt}` : '';
  const why = standing.statusReason ? ` (${maskPhoneNumbers(standing.statusReason)})` : '';
  return `${standing.status}${when}${why}`;
}

/**
 * Why no reviewer may approve an application for this customer, or null. A termination took an
 * executive's approval and is final: an application under the terminated customer's id (a renewal,
 * or a new one that reuses it) would re-paper a bad actor and rewrite its registry profile, so it is
 * refused without review. The business can only come back as a new customer, which the prior-party
 * checks flag high risk and an executive must approve.
 */
export function barredBecause(standing: CustomerStanding | null): string | null {
  if (standing?.status !== 'terminated') return null;
  return (
    `customer ${standing.customerId} was ${since(standing)}: a termination is final, so an application ` +
    'under its customer id is refused without review; to be served again the business applies as a new ' +
    'customer (a new application_id, no renewing_customer_id), which an executive must approve'
  );
}

/**
 * Why the daily track-record review leaves this customer as it is, or null for one it reviews. A
 * terminated customer is done with: a promotion or clock reset would rewrite its registry row and a
 * renewal would only be refused. A suspended one earns nothing while suspended; its clock is left
 * alone too, so the incidents behind the suspension still restart it once it is reinstated.
 */
export function trackRecordHeldBecause(standing: CustomerStanding | null): string | null {
  if (standing?.status === 'terminated')
    return `customer ${standing.customerId} was ${since(standing)}: a termination is final, so no promotion, clock reset or re-verification`;
  if (standing?.status === 'suspended')
    return `customer ${standing.customerId} is ${since(standing)}: no promotion, clock reset or re-verification until it is reinstated`;
  return null;
}

/**
 * Why an executive may not approve a `trusted` proposal for this customer now, or null. The proposal
 * was made before enforcement stopped the customer; approving it would lighten detection's thresholds
 * for a customer just found abusing them. The proposal stays open (the refusal writes nothing): a
 * terminated customer's can only be refused, a suspended (or warned) one's waits for the reinstatement (the
 * incidents behind the suspension may restart its clock first, which withdraws it) or is refused.
 */
export function trustedApprovalBlockedBecause(standing: CustomerStanding | null): string | null {
  if (standing?.status === 'terminated')
    return (
      `customer ${standing.customerId} was ${since(standing)}: a termination is final, so it cannot be made trusted; ` +
      'the proposal stays open until you refuse it (--decision refuse)'
    );
  if (standing?.status === 'suspended')
    return (
      `customer ${standing.customerId} is ${since(standing)}: a suspended customer cannot be made trusted; ` +
      'the proposal stays open: refuse it (--decision refuse), or decide it once the customer is reinstated ' +
      '(traceguard customers reinstate), unless the next track-record review withdraws it by restarting the clock'
    );
  // on probation detection judges it as a new customer: trusting it would undo that at once
  if (standing?.status === 'warned')
    return (
      `customer ${standing.customerId} was ${since(standing)}: a warned customer is on probation (judged on a new ` +
      "customer's thresholds) and cannot be made trusted; the proposal stays open: refuse it (--decision refuse), " +
      'or decide it once the customer is reinstated (traceguard customers reinstate)'
    );
  return null;
}

/** The checks' reasons for a customer under enforcement: none for an active or unknown one. */
export function checkStanding(standing: CustomerStanding | null): CheckReason[] {
  if (!standing || standing.status === 'active') return [];
  const evidence = {
    customer_id: standing.customerId,
    status: standing.status,
    status_changed_at: standing.statusChangedAt ?? null,
  };
  switch (standing.status) {
    case 'terminated':
      return [{ code: 'CUSTOMER_TERMINATED', risk: 'high', detail: barredBecause(standing)!, evidence }];
    case 'suspended':
      return [
        {
          code: 'CUSTOMER_SUSPENDED',
          risk: 'high',
          detail: `customer ${standing.customerId} is ${since(standing)}: an executive must approve, and activation does not lift the suspension (traceguard customers reinstate does)`,
          evidence,
        },
      ];
    case 'warned':
      return [
        {
          code: 'CUSTOMER_WARNED',
          risk: 'medium',
          detail: `customer ${standing.customerId} was ${since(standing)}`,
          evidence,
        },
      ];
  }
}

/**
 * Why an approved application must not activate after all, or null: its customer was terminated, or
 * suspended without an executive's approval (the status changed while the application waited for
 * review, after the checks ran). Activation would otherwise rewrite the profile of a customer
 * enforcement has stopped.
 */
export function activationBlockedBecause(dossier: Dossier, standing: CustomerStanding | null): string | null {
  const barred = barredBecause(standing);
  if (barred) return barred;
  if (standing?.status === 'suspended' && dossier.executive?.decision !== 'approve')
    return (
      `customer ${standing.customerId} was ${since(standing)} after application ${dossier.applicationId} was checked: ` +
      "one analyst's approval does not activate a suspended customer; submit the application again under a new application_id, so an executive reviews it"
    );
  return null;
}
