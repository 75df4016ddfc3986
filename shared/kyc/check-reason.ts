/**
 * What an onboarding check concludes, in the shape of a finding's reason: a stable code, the risk it
 * carries, a sentence an analyst can verify, and the evidence (which record, which field matched).
 * Details never hold a phone or ID number in clear: they keep the last four characters.
 */
export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

export const CHECK_CODES = [
  'PRIOR_ID_NUMBER',
  'PRIOR_IDENTIFIERS',
  'PRIOR_SINGLE_IDENTIFIER',
  'PRIOR_NAME',
  'SAME_IDENTIFIERS_AS_CUSTOMER',
  'RMD_NOT_LISTED',
  'RMD_NAME_MISMATCH',
  'NUMBER_INVALID',
  'NUMBER_ON_DNO',
  'NUMBER_HELD_BY_OTHER',
  'NO_ORIGINATING_IPS',
  'IP_INVALID',
  'IP_RANGE_TOO_WIDE',
  'ADDRESS_SHAPE',
  'PHONE_SHAPE',
  'CUSTOMER_TERMINATED',
  'CUSTOMER_SUSPENDED',
  'CUSTOMER_WARNED',
  'RENEWAL_UNKNOWN_CUSTOMER',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface CheckReason {
  code: CheckCode;
  risk: Risk;
  detail: string;
  evidence: Record<string, unknown>;
}

export function riskRank(risk: Risk): number {
  return RISKS.indexOf(risk);
}

/** `***6789`: enough for an analyst to tell two identifiers apart, not enough to reuse them. */
export function lastFour(value: string): string {
  const plain = value.replace(/[^A-Za-z0-9]/g, '');
  return `***${plain.slice(-4)}`;
}
