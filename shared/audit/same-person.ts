import { personOf } from '../review/caller.ts';

/**
 * Whether two reviewer identities name the same person (an IAM or STS ARN by its user or session
 * name, so one person under the analyst and the executive role is still one person): compared
 * ignoring case, surrounding and repeated blank space, Unicode compatibility forms (NFKC: full-width letters), any dash for a
 * hyphen and invisible characters. The second reviewer of a termination or of a risky onboarding
 * must be another person, and `analyst‐alice` (with U+2010) is analyst-alice.
 */
export function samePerson(a: string, b: string): boolean {
  return reviewerKey(personOf(a)) === reviewerKey(personOf(b));
}

function reviewerKey(identity: string): string {
  return identity
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\p{Pd}/gu, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}
