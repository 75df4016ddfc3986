import type { CustomerProfile } from './ports.ts';
import { redactPhoneNumbers } from './redact.ts';

/**
 * The head of `traceguard customers status`: who the customer is and where enforcement left it
 * (active, warned, suspended, terminated), with when and why the status last changed. A customer
 * missing from the registry is judged as new (docs/input-contract.md) and has no status of its own.
 * The reason is a reviewer's words: numbers in it are masked, as `cases show` masks them.
 */
export function customerStatusLines(customerId: string, profile: CustomerProfile | null): string[] {
  if (!profile) return [`Customer ${customerId}: not in the registry (judged as a new customer)`];
  const since = profile.statusChangedAt ? ` since ${profile.statusChangedAt}` : '';
  const why = profile.statusReason ? `: ${redactPhoneNumbers(profile.statusReason)}` : '';
  return [
    `Customer ${customerId}${profile.name ? ` (${profile.name})` : ''}`,
    `  status   ${profile.status}${since}${why}`,
    `  vetting  ${profile.vetting}; traffic profile ${profile.trafficProfile ?? '-'}; onboarded ${profile.onboardedAt ?? 'unknown'}`,
  ];
}
