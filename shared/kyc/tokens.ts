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
  'pllc',
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

/** Lower case, accents dropped, `&` read as "and", everything but letters and digits a separator. */
function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/#/g, ' unit ')
      // "l.l.c." and "u.s.a." are one word each
      .replace(/\b(?:[a-z]\.){2,}/g, (m) => m.replace(/\./g, ''))
      .split(/[^a-z0-9]+/)
      .filter((w) => w !== '')
  );
}

/** The tokens that identify a business by name: legal forms dropped, common abbreviations expanded. */
export function nameTokens(name: string): string[] {
  const out = new Set<string>();
  for (const w of words(name)) {
    if (LEGAL_FORMS.has(w)) continue;
    out.add(NAME_SYNONYMS[w] ?? w);
  }
  return [...out].sort();
}

/** Share of tokens two names have in common (Jaccard), 0 when either has none. */
export function nameSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const setB = new Set(b);
  const common = a.filter((t) => setB.has(t)).length;
  return common / (a.length + b.length - common);
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
