import { normalizeNumber } from '../cdr/phone.ts';
import { type IpRange, parseIpRange } from '../net/ip-range.ts';
import type { Application } from './application.ts';
import { type AddressParts, addressKey, idNumberKey, type NameWord, nameWords } from './tokens.ts';

/**
 * The identifiers by which a business is recognised again, in comparable form: names as words, address
 * key, ID number, phone numbers in E.164, IP ranges. Built the same way for an applicant, a
 * terminated customer's dossier and a do-not-onboard entry, so one comparison serves all three.
 */
export interface Identity {
  /** each of its names (legal name, DBA) as its words, in the order given */
  names: NameWord[][];
  addressKey: string | null;
  idNumber: string | null;
  alternatePhone: string | null;
  ipRanges: IpRange[];
  numbers: string[];
}

/** The raw identifiers as a do-not-onboard entry or a dossier stores them. */
export interface IdentifierFields {
  names: string[];
  address?: AddressParts;
  id_number?: string;
  alternate_phone?: string;
  ip_ranges?: string[];
  numbers?: string[];
}

function e164(raw: string | undefined): string | null {
  if (!raw) return null;
  const n = normalizeNumber(raw);
  return n.value.startsWith('+') ? n.value : null;
}

export function identityOf(fields: IdentifierFields): Identity {
  return {
    names: fields.names.map(nameWords),
    addressKey: fields.address ? addressKey(fields.address) : null,
    idNumber: fields.id_number ? idNumberKey(fields.id_number) || null : null,
    alternatePhone: e164(fields.alternate_phone),
    ipRanges: (fields.ip_ranges ?? []).flatMap((t) => parseIpRange(t) ?? []),
    numbers: [...new Set((fields.numbers ?? []).flatMap((n) => e164(n) ?? []))].sort(),
  };
}

/** The identifying fields of an application (legal name and DBA both identify it). */
export function identifiersOfApplication(app: Application): IdentifierFields {
  return {
    names: [app.legal_name, ...(app.dba ? [app.dba] : [])],
    address: app.address,
    id_number: app.id_number,
    alternate_phone: app.alternate_phone,
    ip_ranges: app.originating_ips,
    numbers: app.telephone_numbers.map((t) => t.number),
  };
}
