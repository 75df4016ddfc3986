/**
 * Names and addresses as sets of comparable tokens, so that "ACME Dialer, L.L.C." and "Acme Dialer
 * LLC", or "100 North Main Street, Suite 4" and "100 N Main St #12", compare equal. Raw strings are
 * never compared: a re-applicant changes punctuation, case and suite numbers first.
 */

/** Words that say what kind of company it is, not which one. */
const LEGAL_FORMS = new Set([
  'llc',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'limited',
  'lp',
  'llp',
  'lllp',
  'pllc',
  'pc',
  'plc',
  'gmbh',
  'the',
  'and',
  'of',
]);

const NAME_SYNONYMS: Record<string, string> = {
  intl: 'international',
  svc: 'services',
  svcs: 'services',
  service: 'services',
  comms: 'communications',
  communication: 'communications',
  telecommunications: 'telecom',
  tel: 'telecom',
  mktg: 'marketing',
  grp: 'group',
  sol: 'solutions',
  solution: 'solutions',
  tech: 'technologies',
  technology: 'technologies',
};

const STREET_WORDS: Record<string, string> = {
  street: 'st',
  str: 'st',
  avenue: 'ave',
  av: 'ave',
  road: 'rd',
  boulevard: 'blvd',
  drive: 'dr',
  lane: 'ln',
  court: 'ct',
  place: 'pl',
  parkway: 'pkwy',
  highway: 'hwy',
  suite: 'unit',
  ste: 'unit',
  apt: 'unit',
  apartment: 'unit',
  room: 'unit',
  rm: 'unit',
  floor: 'unit',
  fl: 'unit',
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
  first: '1st',
  second: '2nd',
  third: '3rd',
};

/** Letters NFKD does not take apart, written as their usual ASCII spelling. */
const LETTERS: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', þ: 'th' };

/**
 * Lower case, accents dropped, apostrophes too ("Joe's" is "joes"), `&` read as "and", everything but
 * letters and digits a separator.
 */
function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[ßøæœłđþ]/g, (c) => LETTERS[c])
      .replace(/['\u2019]/g, '')
      .replace(/&/g, ' and ')
      .replace(/#/g, ' unit ')
      // "l.l.c." and "u.s.a." are one word each
      .replace(/\b(?:[a-z]\.){2,}/g, (m) => m.replace(/\./g, ''))
      .split(/[^a-z0-9]+/)
      .filter((w) => w !== '')
  );
}

/**
 * The singular of an English plural, by its spelling alone: "partners" and "partner", "pharmacies" and
 * "pharmacy", "businesses" and "business" compare equal. Short words and endings that are seldom
 * plurals ("-ss", "-us", "-is") are left as they are. A word that only looks plural ("texas") loses
 * its "s" in every name alike, so it still compares equal to itself.
 */
export function singular(word: string): string {
  if (word.length <= 3 || !word.endsWith('s') || /(?:ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

/** One word of a business name: as written (lower case, accents dropped) and in comparable form. */
export interface NameWord {
  text: string;
  key: string;
}

/**
 * The words that identify a business by name, in order: legal forms and filler words dropped, common
 * abbreviations expanded, plurals made singular.
 */
export function nameWords(name: string): NameWord[] {
  return words(name)
    .filter((w) => !LEGAL_FORMS.has(w))
    .map((w) => ({ text: w, key: singular(NAME_SYNONYMS[w] ?? w) }));
}

export interface AddressParts {
  street: string;
  postal_code: string;
  country: string;
}

/**
 * An address as one key: the street tokens without the unit (a suite or room number is the first
 * thing a re-applicant changes), the first five characters of the postal code and the country.
 */
export function addressKey(address: AddressParts): string {
  const tokens: string[] = [];
  let skipNext = false;
  for (const w of words(address.street)) {
    const t = STREET_WORDS[w] ?? w;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (t === 'unit') {
      skipNext = true;
      continue;
    }
    tokens.push(t);
  }
  const postal = address.postal_code
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 5);
  return `${tokens.join(' ')}|${postal}|${address.country.trim().toUpperCase()}`;
}

/** Government ID numbers compare on letters and digits only (`12-3456789` = `123456789`). */
export function idNumberKey(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}
