import type { NumberClass } from './record.ts';

/**
 * NANP validity classes from the numbering plan alone (domain-notes 1.3). "Unallocated" needs
 * NANPA/LERG data and is out of scope here; format rules already catch most spoofed garbage.
 */
const TOLL_FREE = new Set([
  '800',
  '833',
  '844',
  '855',
  '866',
  '877',
  '888',
  '822',
  '880',
  '881',
  '882',
  '883',
  '884',
  '885',
  '886',
  '887',
  '889',
]);
const NON_GEOGRAPHIC = new Set([
  '500',
  '521',
  '522',
  '523',
  '524',
  '525',
  '526',
  '527',
  '528',
  '529',
  '533',
  '544',
  '566',
  '577',
  '588',
  '600',
  '622',
  '700',
  '710',
]);

/** Classifies a 10-digit NANP national number given as a string of digits (classifyNanpParts' rules). */
export function classifyNanp(national: string): NumberClass {
  // digit by digit: slices and Number() made it twice as slow on the general reader's every number
  const d = (i: number) => national.charCodeAt(i) - 48;
  return classifyNanpParts(
    d(0) * 100 + d(1) * 10 + d(2),
    d(3) * 100 + d(4) * 10 + d(5),
    d(6) * 1000 + d(7) * 100 + d(8) * 10 + d(9),
  );
}

/** True for classes that cannot be a legitimate caller ID (blocked under 47 CFR 64.1200(k)/(o)). */
export function isInvalidCallingClass(cls: NumberClass): boolean {
  return cls === 'invalid_digits' || cls === 'invalid_npa' || cls === 'invalid_nxx' || cls === 'fictitious';
}

/** Area codes by number (0-999) -> 1 toll free, 2 premium, 3 non-geographic, for the integer classifier. */
const NPA_KIND = new Uint8Array(1000);
for (const npa of TOLL_FREE) NPA_KIND[Number(npa)] = 1;
NPA_KIND[900] = 2;
for (const npa of NON_GEOGRAPHIC) NPA_KIND[Number(npa)] = 3;

/**
 * The numbering-plan class of a national number cut into area code, exchange and line (integers):
 * the one implementation behind classifyNanp and the canonical fast lane (which never builds the
 * digit string).
 */
export function classifyNanpParts(npa: number, nxx: number, line: number): NumberClass {
  const n0 = Math.floor(npa / 100);
  const n1 = Math.floor(npa / 10) % 10;
  const n2 = npa % 10;
  if (n0 < 2) return 'invalid_npa';
  if (n1 === 1 && n2 === 1) return 'invalid_npa';
  const kind = NPA_KIND[npa];
  if (kind === 1) return 'toll_free';
  if (kind === 2) return 'premium';
  if (kind === 3) return 'non_geographic';
  if (n1 === 9) return 'invalid_npa'; // N9X reserved for expansion
  // an easily recognisable code (second and third digits alike: 200, 222, 333 ...) never serves a
  // geographic area; the ones in use are the toll-free, premium and non-geographic codes above
  if (n1 === n2) return 'invalid_npa';
  if (n0 === 3 && n1 === 7) return 'invalid_npa'; // 37X and 96X set aside
  if (n0 === 9 && n1 === 6) return 'invalid_npa';
  if (nxx < 200) return 'invalid_nxx';
  if (nxx % 100 === 11) return 'invalid_nxx'; // N11 exchange
  if (nxx === 555) {
    if (line >= 100 && line <= 199) return 'fictitious';
    if (line === 1212 || line === 4334) return 'fictitious';
  }
  return 'valid';
}
