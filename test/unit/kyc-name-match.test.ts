import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessApplication } from '../../shared/kyc/assess.ts';
import type { DoNotOnboardEntry } from '../../shared/kyc/do-not-onboard.ts';
import { compareNames } from '../../shared/kyc/name-match.ts';
import { PRIOR_MATCH_POLICY } from '../../shared/kyc/prior-match.ts';
import { nameWords } from '../../shared/kyc/tokens.ts';
import { cleanApplication, terminatedAcme } from './kyc-fixtures.ts';

/** A stopped customer with nothing in common with cleanApplication but, maybe, its name. */
function stopped(
  source: DoNotOnboardEntry['source'],
  customerId: string,
  names: string[],
): DoNotOnboardEntry {
  return {
    ...terminatedAcme,
    entry_id: `${source}#${customerId}`,
    source,
    customer_id: source === 'manual' ? undefined : customerId,
    names,
  };
}

const assess = (legalName: string, entry: DoNotOnboardEntry, dba?: string) =>
  assessApplication(cleanApplication({ legal_name: legalName, ...(dba ? { dba } : {}) }), {
    doNotOnboard: [entry],
    rmd: () => null,
    dno: new Set(),
    holders: () => [],
    customers: [],
  });

const similar = (a: string, b: string) =>
  compareNames(nameWords(a), nameWords(b)).similarity >= PRIOR_MATCH_POLICY.similarNameShare;

describe('an applicant named like a stopped customer', () => {
  it('a plural dropped and a legal form added still name the terminated customer: high risk', () => {
    const result = assess(
      'Redwood Voice Partner Co',
      stopped('terminated', 'C906', ['Redwood Voice Partners']),
    );
    expect(result.risk).toBe('high');
    expect(result.executiveBecause).toContain('high risk');
    expect(result.reasons).toMatchObject([
      {
        code: 'PRIOR_NAME',
        risk: 'high',
        evidence: { customer_id: 'C906', words_in_common: ['redwood', 'voice', 'partner = partners'] },
      },
    ]);
    expect(result.reasons[0].detail).toBe(
      'name resembles terminated customer C906 (Redwood Voice Partners) ' +
        '(100% of name words in common: redwood, voice, partner = partners)',
    );
  });

  it('a word written apart ("North Star" for "Northstar") still names the suspended customer', () => {
    const entry = stopped('suspended', 'C904', ['Northstar Pharmacy Corp.']);
    const result = assess('North Star Pharmacy Corp.', entry);
    expect(result).toMatchObject({ risk: 'high', reasons: [{ code: 'PRIOR_NAME', risk: 'high' }] });
    expect(result.reasons[0].detail).toMatch(
      /^name resembles suspended customer C904 \(Northstar Pharmacy Corp\.\), suspended since .* \(100% of name words in common: north star = northstar, pharmacy\)$/,
    );
    // and the other way round, joined by the applicant
    expect(assess('NorthStar Pharmacies', stopped('suspended', 'C904', ['North Star Pharmacy'])).risk).toBe(
      'high',
    );
  });

  it('a hand-added do-not-onboard entry is compared the same way (medium)', () => {
    const result = assess('North Star Pharmacy Corp.', stopped('manual', 'M1', ['Northstar Pharmacy Corp.']));
    expect(result.reasons).toMatchObject([
      {
        code: 'PRIOR_NAME',
        risk: 'medium',
        evidence: { words_in_common: ['north star = northstar', 'pharmacy'] },
      },
    ]);
  });

  it("each name is compared alone: a stopped customer's DBA neither hides its legal name nor is hidden by it", () => {
    const acme = stopped('terminated', 'C042', ['Acme Dialer LLC', 'Acme Outreach Services']);
    expect(assess('Acme Dialer Inc', acme).reasons).toMatchObject([{ code: 'PRIOR_NAME', risk: 'high' }]);
    // the applicant's own DBA does not hide its legal name either
    expect(assess('Acme Dialer Inc', acme, 'Sunrise Health Reminders').risk).toBe('high');
    const byDba = assess('Acme Outreach Svcs', acme);
    expect(byDba.reasons[0].detail).toContain(
      "(its name 'Acme Outreach Services'; 100% of name words in common: acme, outreach, svcs = services)",
    );
  });

  it('a business sharing a word or part of one is not flagged by name', () => {
    // one word of three in common is a common word, not the same business
    expect(assess('Redwood Dental', stopped('terminated', 'C906', ['Redwood Voice Partners'])).risk).toBe(
      'low',
    );
    // "Star" is part of "Northstar", but dropping "North" is another name, not a spelling of the same
    // one: matching parts of words would flag every Star, North and Northstar business
    expect(assess('Star Pharmacy', stopped('suspended', 'C904', ['Northstar Pharmacy Corp.'])).risk).toBe(
      'low',
    );
  });
});

describe('comparing business names', () => {
  it.each([
    ['Redwood Voice Partner Co', 'Redwood Voice Partners'],
    ['North Star Pharmacy Corp.', 'Northstar Pharmacy Corp.'],
    ['Red-Wood Voice', 'Redwood Voice, LLC'],
    ['Blue Water Sun Glasses', 'Bluewater Sunglass Ltd'],
    ['Partners Hub Telecom', 'PartnersHub Tel'],
    ['Redwood Pharmacies', 'REDWOOD PHARMACY, INC.'],
    ['Redwood Businesses', 'Redwood Business'],
    ["Joe's Pharmacy", 'Joes Pharmacy'],
    ['Café Zürich Søndergaard', 'Cafe Zurich Sondergaard GmbH'],
    ['Harbor Dental Group, P.C.', 'Harbor Dental Group'],
  ])('%s is like %s', (a, b) => {
    expect(similar(a, b)).toBe(true);
  });

  it.each([
    ['Redwood Dental', 'Redwood Voice Partners'],
    ['Star Pharmacy', 'Northstar Pharmacy'],
    ['North Pharmacy', 'Northstar Pharmacy'],
    ['Northstar Dental', 'Northstar Pharmacy Corp.'],
    ['Pharmacy Partners Co', 'Redwood Voice Partners'],
    ['Redwood Choice Partners', 'Redwood Voice Partners'],
    ['Star North Pharmacy', 'Northstar Pharmacy'],
  ])('%s is not like %s', (a, b) => {
    expect(similar(a, b)).toBe(false);
  });

  const word = fc.stringMatching(/^[a-z]{4,9}$/).filter((w) => nameWords(w).length === 1);
  const name = fc.array(word, { minLength: 1, maxLength: 5 });

  it('property: case, punctuation, accents and a legal form never change how alike two names are', () => {
    const accented = (w: string) => w.replace(/e/g, 'é').replace(/o/g, 'ø');
    const form = fc.constantFrom('', ', LLC', ' Inc.', ' Co', ', L.L.C.', ' Corp', ' Ltd');
    fc.assert(
      fc.property(name, name, form, (a, b, suffix) => {
        const noisy = `${a.map((w) => accented(w).toUpperCase()).join(' - ')}${suffix}`;
        expect(compareNames(nameWords(noisy), nameWords(b.join(' '))).similarity).toBe(
          compareNames(nameWords(a.join(' ')), nameWords(b.join(' '))).similarity,
        );
      }),
    );
  });

  it('property: two adjacent words written as one change nothing, and the comparison is symmetric', () => {
    // words that are their own comparable form, none inside another (so no other run joins to the same word)
    const plain = word.filter((w) => !w.endsWith('s') && nameWords(w)[0].key === w);
    const apart = fc
      .uniqueArray(plain, { minLength: 2, maxLength: 5 })
      .filter((ws) => ws.every((w, k) => ws.every((v, l) => k === l || !v.includes(w))));
    fc.assert(
      fc.property(apart, fc.nat(), name, (a, at, b) => {
        const i = at % (a.length - 1);
        const joined = [...a.slice(0, i), a[i] + a[i + 1], ...a.slice(i + 2)];
        const same = compareNames(nameWords(a.join(' ')), nameWords(joined.join(' ')));
        expect(same.similarity).toBe(1);
        expect(same.common).toContain(`${a[i]} ${a[i + 1]} = ${a[i]}${a[i + 1]}`);
        const ab = compareNames(nameWords(a.join(' ')), nameWords(b.join(' ')));
        expect(compareNames(nameWords(b.join(' ')), nameWords(a.join(' '))).similarity).toBe(ab.similarity);
      }),
    );
  });
});
