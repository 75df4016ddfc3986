import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';
import type { CheckReason } from './check-reason.ts';
import type { DoNotOnboardEntry } from './do-not-onboard.ts';
import { type Identity, identityOf } from './identity.ts';
import { inCommon, listedFields, matchedIdentifiers, SIMILAR_NAME_SHARE } from './in-common.ts';

/**
 * Does the applicant resemble a business the carrier already refused, terminated or suspended? The ID
 * number alone is enough (a new name does not make a new company); otherwise two of address, alternate
 * phone, IP range and telephone numbers in common are; one of them, or a similar name, is worth an
 * analyst's look but not a refusal. Against a customer the carrier terminated or suspended, that one
 * identifier or name is high as well: a stopped business reapplying under its own name (or from its
 * own address) needs an executive, and a customer onboarded before dossiers existed is on the list by
 * name only. A match is never a refusal by itself: a suspension is not final, and whether the
 * applicant is the listed business is a reviewer's call.
 */
export const PRIOR_MATCH_POLICY = {
  /** identifiers besides the ID number that must match for a high-risk match */
  identifiersForHigh: 2,
  /** share of name words in common (see compareNames) that makes names "similar" */
  similarNameShare: SIMILAR_NAME_SHARE,
} as const;

function whom(entry: DoNotOnboardEntry): string {
  const name = maskPhoneNumbers(entry.names[0]);
  const customer = entry.customer_id ?? entry.entry_id;
  switch (entry.source) {
    case 'terminated':
      return `terminated customer ${customer} (${name})`;
    // the date lets an analyst find the suspension and check whether it still stands
    case 'suspended':
      return `suspended customer ${customer} (${name}), suspended since ${entry.added_at}`;
    case 'manual':
      return `do-not-onboard entry ${entry.entry_id} (${name})`;
  }
}

/** A matched word as a finding says it: a long run of digits (a number in a name) keeps its last four. */
function shownWord(word: string): string {
  return maskPhoneNumbers(word).replace(/\d{5,}/g, (digits) => `***${digits.slice(-4)}`);
}

/**
 * One reason per matching entry, coded by the strongest thing it has in common with the applicant;
 * its evidence lists every identifier that matched (an ID number reused with the address and phone
 * is not only an ID number).
 */
export function matchPriorParties(applicant: Identity, entries: readonly DoNotOnboardEntry[]): CheckReason[] {
  const reasons: CheckReason[] = [];
  for (const entry of entries) {
    const common = inCommon(applicant, identityOf(entry));
    const weakMatchRisk = entry.source === 'manual' ? 'medium' : 'high';
    const evidence = {
      entry_id: entry.entry_id,
      source: entry.source,
      customer_id: entry.customer_id,
      listed_because: entry.reason,
      matched: matchedIdentifiers(common),
    };
    const matches = common.fields;
    const listed = listedFields(matches);
    if (common.idNumber) {
      reasons.push({
        code: 'PRIOR_ID_NUMBER',
        risk: 'high',
        detail: `same government ID number (${common.idNumber}) as ${whom(entry)}${listed ? `; also ${listed}` : ''}`,
        evidence,
      });
      continue;
    }
    if (matches.length >= PRIOR_MATCH_POLICY.identifiersForHigh) {
      reasons.push({
        code: 'PRIOR_IDENTIFIERS',
        risk: 'high',
        detail: `${matches.length} identifiers in common with ${whom(entry)}: ${listed}`,
        evidence,
      });
      continue;
    }
    if (matches.length === 1) {
      reasons.push({
        code: 'PRIOR_SINGLE_IDENTIFIER',
        risk: weakMatchRisk,
        detail: `one identifier in common with ${whom(entry)}: ${listed}`,
        evidence,
      });
      continue;
    }
    const names = common.names;
    if (names) {
      // the entry is introduced by its first name; another one that matched is named too
      const which = names.second === 0 ? '' : `its name '${maskPhoneNumbers(entry.names[names.second])}'; `;
      const words = names.common.map(shownWord);
      reasons.push({
        code: 'PRIOR_NAME',
        risk: weakMatchRisk,
        detail:
          `name resembles ${whom(entry)} (${which}${Math.round(names.similarity * 100)}% of name words ` +
          `in common: ${words.join(', ')})`,
        evidence: { ...evidence, similarity: names.similarity, words_in_common: words },
      });
    }
  }
  return reasons;
}
