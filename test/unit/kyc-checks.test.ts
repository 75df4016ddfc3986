import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Application, InvalidApplication, parseApplication } from '../../shared/kyc/application.ts';
import { assessApplication, type CheckSources } from '../../shared/kyc/assess.ts';
import type { CustomerOnFile } from '../../shared/kyc/customers-on-file.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import { identifiersOfApplication, identityOf } from '../../shared/kyc/identity.ts';
import { compareNames } from '../../shared/kyc/name-match.ts';
import { matchPriorParties } from '../../shared/kyc/prior-match.ts';
import { parseRmdExport } from '../../shared/kyc/rmd.ts';
import { activationBlockedBecause, type CustomerStanding } from '../../shared/kyc/standing.ts';
import { addressKey, nameWords } from '../../shared/kyc/tokens.ts';
import { parseIpRange, rangesOverlap } from '../../shared/net/ip-range.ts';
import { cleanApplication, terminatedAcme } from './kyc-fixtures.ts';

const rmd = parseRmdExport(readFileSync('test/fixtures/kyc/rmd-export.csv', 'utf8'), 'rmd-export.csv');
const sources = (over: Partial<CheckSources> = {}): CheckSources => ({
  doNotOnboard: [terminatedAcme],
  rmd: (n) => rmd.get(n) ?? null,
  dno: new Set(),
  holders: () => [],
  customers: [],
  ...over,
});
const nameKeys = (name: string) => nameWords(name).map((w) => w.key);
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};
const codes = (app = cleanApplication(), over: Partial<CheckSources> = {}) =>
  assessApplication(app, sources(over)).reasons.map((r) => r.code);

describe('application intake', () => {
  it('accepts a complete application and says which fields are wrong otherwise', () => {
    // Prepare / Act
    const app = cleanApplication();
    // Assess
    expect(app.address.country).toBe('US');
    expect(() =>
      parseApplication({ ...app, id_number: '', address: { ...app.address, country: 'USA' } }, 'app.json'),
    ).toThrow(/app\.json: .*address\.country: must be an ISO 3166.*id_number: must name/);
  });

  it('requires an RMD filing from a provider customer and a peak no larger than the day', () => {
    const app = cleanApplication();
    expect(() => parseApplication({ ...app, provider: true }, 'a')).toThrow(
      /rmd: is required for a provider/,
    );
    expect(() =>
      parseApplication({ ...app, expected_volume: { calls_per_day: 10, peak_per_hour: 11 } }, 'a'),
    ).toThrow(InvalidApplication);
  });

  it('refuses a field it does not know at every level, naming each with the field it most likely meant', () => {
    const app = cleanApplication();
    const { renewing_customer_id: _, ...fresh } = app;
    // a misspelt renewal was taken for a brand-new customer
    expect(() => parseApplication({ ...fresh, renewing_customer: 'C001' }, 'app.json')).toThrow(
      'app.json: application: unknown field renewing_customer (did you mean renewing_customer_id?)',
    );
    const everyLevel = {
      ...app,
      Legal_Name: 'x',
      fax: '+12065550100',
      address: { ...app.address, postalcode: '98101' },
      contact: { ...app.contact, phone: '+12065550100' },
      telephone_numbers: [{ number: '+12064301100', loa: 'LOA-1', loa_reference: 'LOA-1' }],
      expected_volume: { ...app.expected_volume, peak_per_minute: 2 },
      rmd: { rmd_number: 'RMD0001234', fnr: '0012345678' },
    };
    expect(() => parseApplication(everyLevel, 'app.json')).toThrow(InvalidApplication);
    const problems = messageOf(() => parseApplication(everyLevel, 'app.json'))
      .replace(/^app\.json: /, '')
      .split('; ');
    expect(problems.sort()).toEqual([
      'address: unknown field postalcode (did you mean postal_code?)',
      'application: unknown fields Legal_Name (did you mean legal_name?), fax',
      'contact: unknown field phone',
      'expected_volume: unknown field peak_per_minute (did you mean peak_per_hour?)',
      'rmd: unknown field fnr (did you mean frn?)',
      'telephone_numbers.0: unknown field loa (did you mean loa_reference?)',
    ]);
    // (terminated.json is the do-not-onboard entry the demo lists, not an application)
    for (const demo of ['clean', 'lookalike', 'marketer']) {
      const file = `local/demo/onboarding/${demo}.json`;
      expect(() => parseApplication(JSON.parse(readFileSync(file, 'utf8')), file)).not.toThrow();
    }
  });

  it('says in words which volume is not a whole number of calls, and where', () => {
    const app = cleanApplication();
    const parse = (expected_volume: unknown) => () =>
      parseApplication({ ...app, expected_volume }, 'app.json');
    expect(parse({ calls_per_day: 300, peak_per_hour: 0.5 })).toThrow(
      'app.json: expected_volume.peak_per_hour: must be a whole number of calls per hour',
    );
    expect(parse({ calls_per_day: '300', peak_per_hour: -1 })).toThrow(
      'app.json: expected_volume.calls_per_day: must be a whole number of calls per day; ' +
        'expected_volume.peak_per_hour: cannot be negative: must be a whole number of calls per hour',
    );
    expect(parse({ calls_per_day: 300, peak_per_hour: 0.5 })).not.toThrow(/expected int/);
  });

  it('names the checks across fields with the other bad fields, not only once those are fixed', () => {
    const app = cleanApplication();
    const bad = {
      ...app,
      contact: { ...app.contact, email: 'not-an-email' },
      provider: true,
      expected_volume: { calls_per_day: 100, peak_per_hour: 500 },
    };
    expect(() => parseApplication(bad, 'a')).toThrow(
      'a: contact.email: must be an e-mail address; rmd: is required for a provider customer; expected_volume.peak_per_hour: cannot exceed calls_per_day',
    );
  });
});

describe('normalization into tokens', () => {
  it('reads legal forms, punctuation, case and abbreviations out of names', () => {
    expect(nameKeys('ACME Dialer, L.L.C.')).toEqual(nameKeys('Acme Dialer LLC'));
    expect(nameKeys('Acme Intl Comms & Svcs Inc')).toEqual([
      'acme',
      'international',
      'communication',
      'service',
    ]);
    expect(compareNames(nameWords('Acme Dialer'), nameWords('Acme Dialer Group')).similarity).toBeCloseTo(
      2 / 3,
    );
  });

  it('compares addresses without the unit, street word spellings or ZIP+4', () => {
    const base = { city: 'Miami', region: 'FL', country: 'US' };
    expect(addressKey({ ...base, street: '77 West Commerce Blvd., Ste 500', postal_code: '33131' })).toBe(
      addressKey({ ...base, street: '77 W. Commerce Boulevard #1200', postal_code: '33131-2200' }),
    );
    expect(addressKey({ ...base, street: '78 W Commerce Blvd', postal_code: '33131' })).not.toBe(
      addressKey({ ...base, street: '77 W Commerce Blvd', postal_code: '33131' }),
    );
  });

  it('property: a name keeps its tokens whatever its case and punctuation', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 1, maxLength: 5 }), (ws) => {
        const plain = ws.join(' ');
        const noisy = `${ws.map((w) => w.toUpperCase()).join(', ')}, L.L.C.`;
        expect(nameKeys(noisy)).toEqual(nameKeys(plain));
      }),
    );
  });

  it('parses addresses and CIDR blocks of both versions into overlapping ranges', () => {
    const block = parseIpRange('198.51.100.0/24');
    const one = parseIpRange('198.51.100.77');
    expect(block && one && rangesOverlap(block, one)).toBe(true);
    const v6 = parseIpRange('2001:db8::/32');
    const v6one = parseIpRange('2001:db8:0:1::5');
    expect(v6 && v6one && rangesOverlap(v6, v6one)).toBe(true);
    expect(parseIpRange('2001:db9::1') && v6 && rangesOverlap(parseIpRange('2001:db9::1')!, v6)).toBe(false);
    expect(parseIpRange('300.1.1.1')).toBeNull();
    expect(parseIpRange('10.0.0.0/33')).toBeNull();
  });
});

describe('matching terminated customers and the do-not-onboard list', () => {
  it('a clean applicant matches nothing and is low risk', () => {
    const result = assessApplication(cleanApplication(), sources());
    expect(result).toMatchObject({ risk: 'low', reasons: [], executiveBecause: [] });
  });

  it('a new name with the same ID number is high risk and names the terminated customer', () => {
    const app = cleanApplication({ legal_name: 'Sunrise Outreach Partners', id_number: '597654321' });
    const result = assessApplication(app, sources());
    expect(result.risk).toBe('high');
    expect(result.executiveBecause).toContain('high risk');
    expect(result.reasons[0]).toMatchObject({
      code: 'PRIOR_ID_NUMBER',
      evidence: { customer_id: 'C042', matched: ['id_number'] },
    });
    expect(result.reasons[0].detail).toContain('terminated customer C042 (Acme Dialer LLC)');
    expect(result.reasons[0].detail).not.toContain('7654321');
  });

  it('the evidence of an ID number match names every other identifier that matched too', () => {
    const app = cleanApplication({
      legal_name: 'Sunrise Outreach Partners',
      id_number: '59-7654321',
      address: { ...terminatedAcme.address, street: '77 W Commerce Boulevard, Suite 1200' },
      alternate_phone: '(305) 555-0177',
      originating_ips: ['198.51.100.7'],
    });
    const prior = assessApplication(app, sources()).reasons.filter((r) => r.code.startsWith('PRIOR_'));
    expect(prior).toHaveLength(1);
    const [reason] = prior;
    expect(reason).toMatchObject({
      code: 'PRIOR_ID_NUMBER',
      evidence: { customer_id: 'C042', matched: ['id_number', 'address', 'alternate_phone', 'ip_range'] },
    });
    expect(reason.detail).toBe(
      'same government ID number (***4321) as terminated customer C042 (Acme Dialer LLC); also ' +
        'address 33131 US; alternate phone ***0177; ip range 198.51.100.7',
    );
    // under its own name, the name is one of them
    const sameName = assessApplication(
      cleanApplication({ legal_name: 'Acme Dialer', id_number: '597654321' }),
      sources(),
    );
    expect(sameName.reasons[0].evidence.matched).toEqual(['id_number', 'name']);
  });

  it('two of address, alternate phone, IP range and numbers in common are high risk; one is medium', () => {
    const sameAddress = {
      street: '77 W Commerce Boulevard, Suite 1200',
      city: 'Miami',
      region: 'FL',
      postal_code: '33131',
      country: 'US',
    };
    const pairs: Array<[string, Record<string, unknown>]> = [
      ['address', { address: sameAddress }],
      ['alternate_phone', { alternate_phone: '(305) 555-0177' }],
      ['ip_range', { originating_ips: ['198.51.100.200'] }],
      ['telephone_number', { telephone_numbers: [{ number: '3054300002', loa_reference: 'LOA-9' }] }],
    ];
    for (let i = 0; i < pairs.length; i++) {
      const [fieldA, a] = pairs[i];
      const one = assessApplication(cleanApplication({ legal_name: 'Sunrise Outreach', ...a }), sources());
      expect(one.reasons.find((r) => r.code === 'PRIOR_SINGLE_IDENTIFIER')?.evidence.matched).toEqual([
        fieldA,
      ]);
      for (let j = i + 1; j < pairs.length; j++) {
        const [fieldB, b] = pairs[j];
        const two = assessApplication(
          cleanApplication({ legal_name: 'Sunrise Outreach', ...a, ...b }),
          sources(),
        );
        expect(two.risk, `${fieldA} + ${fieldB}`).toBe('high');
        expect(two.reasons[0]).toMatchObject({
          code: 'PRIOR_IDENTIFIERS',
          evidence: { customer_id: 'C042', matched: [fieldA, fieldB] },
        });
      }
    }
  });

  it('a similar name alone is worth a look (medium) for a hand-added entry, not a refusal', () => {
    const reasons = matchPriorParties(
      identityOf(identifiersOfApplication(cleanApplication({ legal_name: 'ACME DIALER, INC.' }))),
      [{ ...terminatedAcme, entry_id: 'manual-1', source: 'manual', customer_id: undefined }],
    );
    expect(reasons).toMatchObject([{ code: 'PRIOR_NAME', risk: 'medium' }]);
  });

  it("a terminated customer's name, or one identifier of it, is high risk: an executive must approve", () => {
    // a customer onboarded before dossiers existed is on the list by its registry name only
    const nameOnly = {
      ...terminatedAcme,
      address: undefined,
      id_number: undefined,
      alternate_phone: undefined,
      ip_ranges: [],
      numbers: [],
    };
    const sameName = assessApplication(
      cleanApplication({ legal_name: 'Acme Dialer LLC' }),
      sources({ doNotOnboard: [nameOnly] }),
    );
    expect(sameName).toMatchObject({ risk: 'high', reasons: [{ code: 'PRIOR_NAME', risk: 'high' }] });
    expect(sameName.executiveBecause).toContain('high risk');
    const samePhone = assessApplication(
      cleanApplication({ legal_name: 'Sunrise Outreach', alternate_phone: '(305) 555-0177' }),
      sources(),
    );
    expect(samePhone.reasons[0]).toMatchObject({ code: 'PRIOR_SINGLE_IDENTIFIER', risk: 'high' });
  });
});

describe('matching the customers already onboarded', () => {
  /** Harbor Dental, onboarded as C100 with exactly the clean application's identifiers */
  const onFile = (over: Partial<CustomerOnFile> = {}): CustomerOnFile => ({
    customer_id: 'C100',
    status: 'active',
    identifiers: identifiersOfApplication(cleanApplication()),
    ...over,
  });
  const assessWith = (app: Application, customers: CustomerOnFile[], over: Partial<CheckSources> = {}) =>
    assessApplication(app, sources({ customers, ...over }));

  it('the same ID number or two identifiers as an active customer is a second account or an affiliate: medium', () => {
    const same = assessWith(cleanApplication({ application_id: 'APP-2' }), [onFile()]);
    expect(same.risk).toBe('medium');
    expect(same.reasons.find((r) => r.code === 'SAME_IDENTIFIERS_AS_CUSTOMER')).toMatchObject({
      risk: 'medium',
      evidence: { customer_id: 'C100', status: 'active' },
    });
    const twoFields = cleanApplication({
      legal_name: 'Evergreen Smiles',
      id_number: '91-0000001',
      alternate_phone: '+1 206 430 7777',
      telephone_numbers: [],
    });
    expect(assessWith(twoFields, [onFile()]).reasons).toMatchObject([
      {
        code: 'SAME_IDENTIFIERS_AS_CUSTOMER',
        detail:
          '2 identifiers in common (address 98101 US; ip range 203.0.113.10) as active ' +
          'customer C100 (Harbor Dental Group, P.C.): a second account of the same business or an affiliate; a ' +
          'renewal of that customer names it in renewing_customer_id',
        evidence: { matched: ['address', 'ip_range'] },
      },
    ]);
    // one identifier (a shared office building) is no sign of the same business
    const sameBuilding = cleanApplication({
      legal_name: 'Evergreen Smiles',
      id_number: '91-0000001',
      alternate_phone: '+1 206 430 7777',
      originating_ips: ['192.0.2.1'],
      telephone_numbers: [],
    });
    expect(assessWith(sameBuilding, [onFile()]).reasons).toEqual([]);
  });

  it("a warned customer's second account is high: it would leave the warning behind", () => {
    const found = assessWith(cleanApplication({ application_id: 'APP-2' }), [onFile({ status: 'warned' })]);
    expect(found.risk).toBe('high');
    expect(found.executiveBecause).toContain('high risk');
  });

  it('its renewal is not flagged, and a customer the do-not-onboard list holds is judged by that list alone', () => {
    const renewal = cleanApplication({ application_id: 'REVERIFY-C100', renewing_customer_id: 'C100' });
    expect(assessWith(renewal, [onFile()])).toMatchObject({ risk: 'low', reasons: [] });
    const acme = onFile({ customer_id: 'C042', status: 'terminated', identifiers: terminatedAcme });
    const lookalike = cleanApplication({ legal_name: 'Sunrise Outreach', id_number: '597654321' });
    expect(assessWith(lookalike, [acme]).reasons.map((r) => r.code)).toEqual(['PRIOR_ID_NUMBER']);
  });

  it("a number another customer declared when onboarded is held by it: medium (a vendor declares its client's numbers)", () => {
    const app = cleanApplication({
      application_id: 'APP-2',
      legal_name: 'Evergreen Smiles',
      id_number: '91-0000001',
    });
    const declaredOnly = {
      ...onFile(),
      identifiers: { names: ['Harbor Dental'], numbers: ['(206) 430-1100'] },
    };
    const declared = assessWith(app, [declaredOnly]);
    expect(declared.reasons).toMatchObject([
      {
        code: 'NUMBER_HELD_BY_OTHER',
        risk: 'medium',
        detail: 'telephone number ***1100 was declared by customer C100 when onboarded',
        evidence: { held_by: [], declared_by: ['C100'] },
      },
    ]);
    // in another customer's inventory as well: the carrier's own record says so, high
    const both = assessWith(app, [declaredOnly], { holders: () => ['C007'] });
    expect(both.reasons).toMatchObject([
      {
        code: 'NUMBER_HELD_BY_OTHER',
        risk: 'high',
        detail:
          'telephone number ***1100 is held by customer C007 (number inventory) and was declared by customer C100 when onboarded',
        evidence: { held_by: ['C007'], declared_by: ['C100'] },
      },
    ]);
    // its own declaration is not another's
    const renewal = cleanApplication({
      renewing_customer_id: 'C100',
      telephone_numbers: app.telephone_numbers,
    });
    expect(assessWith(renewal, [declaredOnly]).reasons).toEqual([]);
  });
});

describe('RMD, numbers and declarations', () => {
  const provider = (rmdNumber: string, name = 'Northwind Voice Networks LLC') =>
    cleanApplication({ provider: true, legal_name: name, rmd: { rmd_number: rmdNumber } });

  it('reads the RMD export columns it names and checks provider customers against it', () => {
    expect(rmd.get('RMD0009999')?.other_names).toEqual(['QLT', 'Quiet Lake Comms']);
    expect(codes(provider('RMD0001234'))).toEqual([]);
    expect(codes(provider('RMD0000001'))).toEqual(['RMD_NOT_LISTED']);
    expect(codes(provider('RMD0005678'))).toEqual(['RMD_NAME_MISMATCH']);
    expect(() => parseRmdExport('RMD Number,Business Name\nX1,Y\n', 'rmd.csv')).toThrow(/rmd\.csv: line 2/);
  });

  it('a provider is listed under its DBA compared on its own, a plural or a word written apart aside', () => {
    // the RMD lists "Northwind Voice Networks, LLC" and the DBA "Northwind Voice"
    const app = cleanApplication({
      provider: true,
      legal_name: 'Harbor Holdings Group',
      dba: 'North Wind Voice Network',
      rmd: { rmd_number: 'RMD0001234' },
    });
    expect(codes(app)).toEqual([]);
  });

  it('numbers must be valid, off the DNO list and not held by another customer', () => {
    const app = cleanApplication({
      telephone_numbers: [
        { number: '+12025550143', loa_reference: 'L1' },
        { number: '+12064301101', loa_reference: 'L2' },
        { number: '+12064301102', loa_reference: 'L3' },
      ],
    });
    const found = codes(app, {
      dno: new Set(['+12064301101']),
      holders: (n) => (n === '+12064301102' ? ['C007'] : []),
    });
    expect(found.sort()).toEqual(['NUMBER_HELD_BY_OTHER', 'NUMBER_INVALID', 'NUMBER_ON_DNO']);
    const renewing = cleanApplication({
      renewing_customer_id: 'C007',
      telephone_numbers: [{ number: '+12064301102', loa_reference: 'L3' }],
    });
    expect(codes(renewing, { holders: () => ['C007'] })).toEqual([]);
  });

  it('a high-volume or marketing declaration without originating IPs is high risk and needs an executive', () => {
    const marketer = cleanApplication({ intended_use: ['marketing'], originating_ips: [] });
    const result = assessApplication(marketer, sources());
    expect(result.risk).toBe('high');
    expect(result.reasons.map((r) => r.code)).toEqual(['NO_ORIGINATING_IPS']);
    const bulk = cleanApplication({ expected_volume: { calls_per_day: 50_000, peak_per_hour: 6_000 } });
    expect(assessApplication(bulk, sources())).toMatchObject({
      risk: 'low',
      executiveBecause: ['high-volume customer'],
    });
  });

  it('flags impossible address and phone shapes and over-wide IP blocks', () => {
    const app = cleanApplication({
      address: { street: 'PO Box 12', city: 'Seattle', region: 'WA', postal_code: '981', country: 'US' },
      alternate_phone: '555-0100',
      originating_ips: ['10.0.0.0/8', 'not-an-ip'],
    });
    expect(codes(app).sort()).toEqual(['ADDRESS_SHAPE', 'IP_INVALID', 'IP_RANGE_TOO_WIDE', 'PHONE_SHAPE']);
  });
});

describe("the customer's enforcement status", () => {
  const renewal = cleanApplication({ application_id: 'REVERIFY-C042', renewing_customer_id: 'C042' });
  const standing = (status: CustomerStanding['status']): CustomerStanding => ({
    customerId: 'C042',
    status,
    statusReason: 'case C042-F-1: robocalls from +13055550100',
    statusChangedAt: '2026-11-01T00:00:00.000Z',
  });

  it('a terminated customer is barred: high risk, and a reason a person can read says termination is final', () => {
    const result = assessApplication(renewal, sources(), standing('terminated'));
    expect(result.risk).toBe('high');
    expect(result.reasons[0]).toMatchObject({
      code: 'CUSTOMER_TERMINATED',
      evidence: { customer_id: 'C042', status: 'terminated' },
    });
    expect(result.barred).toMatch(
      /^customer C042 was terminated on 2026-11-01T00:00:00.000Z \(case C042-F-1: robocalls from \*\*\*0100\): a termination is final/,
    );
  });

  it('a suspended customer needs an executive; a warned one is worth a look; an active or unknown one adds nothing', () => {
    expect(assessApplication(renewal, sources(), standing('suspended'))).toMatchObject({
      risk: 'high',
      barred: null,
      executiveBecause: ['high risk', 'customer suspended by enforcement'],
      reasons: [{ code: 'CUSTOMER_SUSPENDED' }],
    });
    expect(assessApplication(renewal, sources(), standing('warned'))).toMatchObject({
      risk: 'medium',
      barred: null,
      executiveBecause: [],
      reasons: [{ code: 'CUSTOMER_WARNED' }],
    });
    for (const s of [standing('active'), null])
      expect(assessApplication(renewal, sources(), s)).toMatchObject({
        risk: 'low',
        reasons: [],
        barred: null,
      });
  });

  it('activation is blocked for a terminated customer, and for a suspended one without an executive approval', () => {
    const dossier = newDossier(renewal, 'sales@carrier', new Date('2026-12-01T00:00:00Z'));
    const analystOnly = {
      ...dossier,
      analyst: { decision: 'approve' as const, reason: 'looks fine to me', decidedBy: 'alice', at: '' },
    };
    const withExecutive = {
      ...analystOnly,
      executive: { decision: 'approve' as const, reason: 'checked the case', decidedBy: 'erin', at: '' },
    };
    expect(activationBlockedBecause(withExecutive, standing('terminated'))).toMatch(/termination is final/);
    expect(activationBlockedBecause(analystOnly, standing('suspended'))).toMatch(
      /one analyst's approval does not activate a suspended customer/,
    );
    expect(activationBlockedBecause(withExecutive, standing('suspended'))).toBeNull();
    expect(activationBlockedBecause(analystOnly, standing('warned'))).toBeNull();
    expect(activationBlockedBecause(analystOnly, null)).toBeNull();
  });
});
