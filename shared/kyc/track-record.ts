import type { Vetting } from '../detect/customers.ts';
import type { RegisteredCustomer } from './ports.ts';

/**
 * How a customer earns a lighter review: `new` becomes `standard` by itself after a clean probation
 * at meaningful volume; `standard` is proposed for `trusted` after a longer clean record, which an
 * executive approves. A high finding or a traceback naming the customer restarts the clock, and the
 * dossier is re-verified at a fixed interval whatever the tier.
 */
export const TRACK_RECORD_POLICY = {
  probationDays: 90,
  /** calls since the clock started below which a clean record proves little */
  minCallsForPromotion: 10_000,
  trustedAfterDays: 365,
  minCallsForTrusted: 100_000,
  reverifyEveryDays: 365,
} as const;
export type TrackRecordPolicy = typeof TRACK_RECORD_POLICY;

/** What the review knows of a customer's traffic since its tier clock started. */
export interface TrackRecordActivity {
  callsSinceTierStart: number;
  /** the latest high (or critical) finding, ISO time, if any */
  lastHighFindingAt: string | null;
  /** the latest traceback that named the customer, ISO time, if any */
  lastTracebackAt: string | null;
}

export type TrackRecordAction =
  | { kind: 'reset_clock'; why: string; since: string }
  | { kind: 'promote'; from: Vetting; to: Vetting; why: string }
  | { kind: 'propose_trusted'; why: string }
  | { kind: 'reverify'; why: string };

const DAY = 86_400_000;

/** The scheduled review of one active customer: what should change today, and why. */
export function reviewTrackRecord(
  customer: RegisteredCustomer,
  activity: TrackRecordActivity,
  now: Date,
  policy: TrackRecordPolicy = TRACK_RECORD_POLICY,
): TrackRecordAction[] {
  const actions: TrackRecordAction[] = [];
  const since = Date.parse(customer.tier_since);
  const incidents = [activity.lastHighFindingAt, activity.lastTracebackAt]
    .filter((t): t is string => t !== null)
    .filter((t) => Date.parse(t) > since)
    .sort();
  const verifiedDays = (now.getTime() - Date.parse(customer.verified_at)) / DAY;
  if (verifiedDays >= policy.reverifyEveryDays) {
    actions.push({
      kind: 'reverify',
      why: `dossier last verified ${Math.floor(verifiedDays)} days ago (policy: every ${policy.reverifyEveryDays})`,
    });
  }
  const latest = incidents.at(-1);
  if (latest) {
    const what = latest === activity.lastTracebackAt ? 'a traceback named the customer' : 'a high finding';
    actions.push({
      kind: 'reset_clock',
      since: latest,
      why: `${what} on ${latest}: the ${customer.vetting} clock restarts`,
    });
    return actions;
  }
  const days = (now.getTime() - since) / DAY;
  const calls = activity.callsSinceTierStart;
  if (customer.vetting === 'new' && days >= policy.probationDays && calls >= policy.minCallsForPromotion) {
    actions.push({
      kind: 'promote',
      from: 'new',
      to: 'standard',
      why: `${Math.floor(days)} clean days and ${calls} calls since activation (policy: ${policy.probationDays} days, ${policy.minCallsForPromotion} calls)`,
    });
  } else if (
    customer.vetting === 'standard' &&
    days >= policy.trustedAfterDays &&
    calls >= policy.minCallsForTrusted
  ) {
    actions.push({
      kind: 'propose_trusted',
      why: `${Math.floor(days)} clean days and ${calls} calls as standard (policy: ${policy.trustedAfterDays} days, ${policy.minCallsForTrusted} calls); an executive approves`,
    });
  }
  return actions;
}
