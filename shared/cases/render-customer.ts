import type { CustomerProfile } from './ports.ts';
import { redactPhoneNumbers } from './redact.ts';
import { type ReinstatementRequest, requestLapsedBecause } from './reinstatement-request.ts';

/**
 * The head of `traceguard customers status`: who the customer is and where enforcement left it
 * (active, warned, suspended, terminated), with when and why the status last changed. A customer
 * missing from the registry is judged as new (docs/input-contract.md) and has no status of its own.
 * A reinstatement waiting for a second person is named, with who asked and why. The reasons are
 * people's words: numbers in them are masked, as `cases show` masks them.
 */
export function customerStatusLines(
  customerId: string,
  profile: CustomerProfile | null,
  request: ReinstatementRequest | null = null,
): string[] {
  if (!profile) return [`Customer ${customerId}: not in the registry (judged as a new customer)`];
  const lapsed = request ? requestLapsedBecause(request, profile) : null;
  const waiting = request
    ? [
        `  reinstatement${request.caseId ? ` to ${request.restoreTo} (as case ${request.caseId} decided)` : ''} requested by ${request.requestedBy} on ${request.requestedAt}: ${redactPhoneNumbers(request.reason)}`,
        lapsed
          ? `    no longer holds: ${lapsed}; decline it (traceguard customers reinstate ${customerId} --decline --reason "...")`
          : `    waiting for another person: traceguard customers reinstate ${customerId} --approve (or --decline --reason "...")`,
      ]
    : [];
  const since = profile.statusChangedAt ? ` since ${profile.statusChangedAt}` : '';
  const why = profile.statusReason ? `: ${redactPhoneNumbers(profile.statusReason)}` : '';
  return [
    `Customer ${customerId}${profile.name ? ` (${profile.name})` : ''}`,
    `  status   ${profile.status}${since}${why}`,
    `  vetting  ${profile.vetting}; traffic profile ${profile.trafficProfile ?? '-'}; onboarded ${profile.onboardedAt ?? 'unknown'}`,
    ...waiting,
  ];
}
