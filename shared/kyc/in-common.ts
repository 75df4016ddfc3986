import { rangesOverlap } from '../net/ip-range.ts';
import { lastFour } from './check-reason.ts';
import type { Identity } from './identity.ts';
import { type ClosestNames, closestNames } from './name-match.ts';

/** Share of name words in common (see compareNames) that makes two names "similar". */
export const SIMILAR_NAME_SHARE = 0.6;

export type SharedField = 'address' | 'alternate_phone' | 'ip_range' | 'telephone_number';

export interface FieldMatch {
  field: SharedField;
  /** what matched, masked */
  value: string;
}

/**
 * Everything an applicant has in common with another business (a listed party, an existing
 * customer): the ID number, each of address, alternate phone, IP range and telephone numbers, and a
 * similar name. Every check that compares two businesses reads this one answer, so each names all
 * that matched, not only the strongest.
 */
export interface InCommon {
  /** the ID number, masked, when it is the same */
  idNumber: string | null;
  fields: FieldMatch[];
  /** the closest names, when similar enough to count */
  names: ClosestNames | null;
}

function fieldMatches(app: Identity, other: Identity): FieldMatch[] {
  const out: FieldMatch[] = [];
  if (app.addressKey && app.addressKey === other.addressKey) {
    out.push({ field: 'address', value: app.addressKey.split('|').slice(1).join(' ') });
  }
  if (app.alternatePhone && app.alternatePhone === other.alternatePhone) {
    out.push({ field: 'alternate_phone', value: lastFour(app.alternatePhone) });
  }
  const ip = app.ipRanges.find((a) => other.ipRanges.some((p) => rangesOverlap(a, p)));
  if (ip) out.push({ field: 'ip_range', value: ip.text });
  const otherNumbers = new Set(other.numbers);
  const shared = app.numbers.filter((n) => otherNumbers.has(n));
  if (shared.length > 0) {
    out.push({ field: 'telephone_number', value: shared.slice(0, 5).map(lastFour).join(', ') });
  }
  return out;
}

export function inCommon(app: Identity, other: Identity): InCommon {
  const names = closestNames(app.names, other.names);
  return {
    idNumber: app.idNumber && app.idNumber === other.idNumber ? lastFour(app.idNumber) : null,
    fields: fieldMatches(app, other),
    names: names && names.similarity >= SIMILAR_NAME_SHARE ? names : null,
  };
}

/** Which identifiers matched, as evidence names them: `id_number`, the fields, `name`. */
export function matchedIdentifiers(common: InCommon): string[] {
  return [
    ...(common.idNumber ? ['id_number'] : []),
    ...common.fields.map((m) => m.field),
    ...(common.names ? ['name'] : []),
  ];
}

/** The fields that matched as a detail lists them: `address 410 pine st seattle; alternate phone ***1188`. */
export function listedFields(fields: readonly FieldMatch[]): string {
  return fields.map((m) => `${m.field.replace('_', ' ')} ${m.value}`).join('; ');
}
