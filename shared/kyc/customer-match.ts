import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';
import type { CheckReason, Risk } from './check-reason.ts';
import type { CustomerOnFile } from './customers-on-file.ts';
import type { Identity } from './identity.ts';
import { inCommon, listedFields, matchedIdentifiers } from './in-common.ts';

/**
 * Does the applicant look like a customer the carrier already serves? The same ID number, or two of
 * address, alternate phone, IP range and telephone numbers, is the same business or an affiliate:
 * a second account (legitimate for a second site or brand, but also how traffic is split to stay
 * under one customer's thresholds), or a renewal sent without its `renewing_customer_id`. Medium: an
 * analyst finds out which and says so; nothing in it is a sign of abuse by itself. High when that
 * customer was warned: a new account would leave its warning (and the probation it brings) behind.
 * One identifier or a similar name alone is not flagged: offices share buildings, hosted platforms
 * share addresses, and businesses share words in their names; a shared telephone number is
 * NUMBER_HELD_BY_OTHER's.
 */
export const CUSTOMER_MATCH_POLICY = {
  /** identifiers besides the ID number in common that make the applicant look like the customer */
  identifiersForMatch: 2,
} as const;

function riskWith(customer: CustomerOnFile): Risk {
  return customer.status === 'warned' ? 'high' : 'medium';
}

/** One reason per customer on file the applicant shares its ID number or enough identifiers with. */
export function matchCustomersOnFile(
  applicant: Identity,
  customers: readonly (CustomerOnFile & { identity: Identity })[],
): CheckReason[] {
  const reasons: CheckReason[] = [];
  for (const customer of customers) {
    const common = inCommon(applicant, customer.identity);
    if (!common.idNumber && common.fields.length < CUSTOMER_MATCH_POLICY.identifiersForMatch) continue;
    const listed = listedFields(common.fields);
    const what = common.idNumber
      ? `same government ID number (${common.idNumber})${listed ? ` and ${listed}` : ''}`
      : `${common.fields.length} identifiers in common (${listed})`;
    const name = maskPhoneNumbers(customer.identifiers.names[0] ?? customer.customer_id);
    reasons.push({
      code: 'SAME_IDENTIFIERS_AS_CUSTOMER',
      risk: riskWith(customer),
      detail:
        `${what} as ${customer.status} customer ${customer.customer_id} (${name}): a second account of the same ` +
        'business or an affiliate; a renewal of that customer names it in renewing_customer_id',
      evidence: {
        customer_id: customer.customer_id,
        status: customer.status,
        matched: matchedIdentifiers(common),
      },
    });
  }
  return reasons;
}
