import { describe, expect, it } from 'vitest';
import { PackedCall, packRecord } from '../../shared/cdr/packed-call.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { declarationsOf } from '../../shared/detect/declarations.ts';
import { NumberInventory } from '../../shared/detect/reference.ts';
import {
  analyzeCalls,
  callsInHour,
  codesFor,
  conversationS,
  customer,
  HOUR,
  referenceWith,
  worstSeverity,
} from '../helpers/traffic.ts';

/**
 * OTHER_CUSTOMERS_NUMBER: caller IDs another customer holds (its inventory), presented by a customer
 * that neither holds nor declared them. BANK holds 40 numbers; SPOOF (no inventory) presents them
 * A-attested; VENDOR calls for the bank and declared its numbers at onboarding; GW is a provider.
 */
const BANK_NUMBERS = Array.from({ length: 40 }, (_, i) => `+1212987${String(2000 + i)}`);
const OWN = '+13125550100';

function reference() {
  const r = referenceWith(
    customer('BANK', 'trusted', 'conversational'),
    customer('SPOOF', 'standard', 'call_center'),
    { ...customer('VENDOR', 'standard', 'call_center'), declared_numbers: BANK_NUMBERS },
    { ...customer('GW', 'standard', 'conversational'), provider: true },
    customer('MIX', 'standard', 'conversational'),
  );
  r.declarations = declarationsOf(r.customers.values());
  r.inventory = new NumberInventory();
  for (const n of BANK_NUMBERS) r.inventory.add('BANK', n);
  r.inventory.add('MIX', OWN);
  return r;
}

/** 200 calls an hour, answered and talked through, from the bank's numbers (`share` of them, the rest `other`) */
function hour(id: string, share = 1, other = '') {
  return callsInHour(id, HOUR, 200, (i) => ({
    calling: i < 200 * share ? BANK_NUMBERS[i % 40] : other,
    attestation: 'A',
    answered: true,
    durationS: conversationS(i),
  }));
}

describe('OTHER_CUSTOMERS_NUMBER', () => {
  it("counts calls from another customer's numbers, never the holder's own, a declared vendor's or withheld ones", () => {
    const agg = new Aggregator(reference());
    for (const c of [...hour('BANK'), ...hour('SPOOF'), ...hour('VENDOR'), ...hour('MIX', 0.1, OWN)])
      agg.add(c);
    for (const c of hour('GW', 0.5, '')) agg.add(c);
    const counted = (id: string) => agg.customerWindows().get(id)?.[0].callingOtherCustomer;
    expect(counted('BANK')).toBe(0);
    expect(counted('SPOOF')).toBe(200);
    expect(counted('VENDOR')).toBe(0);
    // a customer with an inventory: only the calls outside it, from numbers the bank holds
    expect(counted('MIX')).toBe(20);
    // withheld caller IDs are nobody's numbers (the provider is counted; the rule leaves it out)
    expect(counted('GW')).toBe(100);
  });

  it("puts an account presenting a bank's numbers at high, whatever its attestation or lack of an inventory", () => {
    const r = reference();
    const findings = analyzeCalls([...hour('BANK'), ...hour('SPOOF'), ...hour('VENDOR'), ...hour('GW')], r);
    expect(codesFor(findings, 'SPOOF')).toContain('OTHER_CUSTOMERS_NUMBER');
    expect(worstSeverity(findings, 'SPOOF')).toBe('high');
    const reason = findings.flatMap((f) => f.reasons).find((x) => x.code === 'OTHER_CUSTOMERS_NUMBER');
    expect(reason?.detail).toMatch(/^200 calls \(100%\) presented caller IDs that other customers hold/);
    // the holder, a vendor that declared the numbers with its proof of right, a provider: quiet
    for (const id of ['BANK', 'VENDOR', 'GW'])
      expect(codesFor(findings, id).has('OTHER_CUSTOMERS_NUMBER')).toBe(false);
    // a policy that judges providers too
    const judged = analyzeCalls(hour('GW'), r, null, {
      rules: { OTHER_CUSTOMERS_NUMBER: { providers: true } },
    });
    expect(codesFor(judged, 'GW')).toContain('OTHER_CUSTOMERS_NUMBER');
  });

  it('stays quiet under its share and its count: an answering service forwarding a few callers who are customers', () => {
    // 8 of 200 calls (4%) carry numbers the bank holds: forwarded calls keep the original caller ID
    const findings = analyzeCalls(hour('MIX', 0.04, OWN), reference());
    expect(codesFor(findings, 'MIX').has('OTHER_CUSTOMERS_NUMBER')).toBe(false);
    const more = analyzeCalls(hour('MIX', 0.08, OWN), reference());
    expect(codesFor(more, 'MIX')).toContain('OTHER_CUSTOMERS_NUMBER');
  });

  /**
   * CALLC's inventory lists its numbers as a prefix (`+1404881*`); OTHNUM, with no inventory, presents
   * them. AREA holds the whole exchange's area code by a shorter prefix, and DEEP one number of the
   * block exactly: neither is presenting another customer's number when it presents CALLC's.
   */
  const BLOCK = Array.from({ length: 200 }, (_, i) => `+1404881${String(1000 + i)}`);
  function prefixReference() {
    const r = referenceWith(
      customer('CALLC', 'trusted', 'call_center'),
      customer('OTHNUM', 'standard', 'call_center'),
      customer('AREA', 'standard', 'call_center'),
      customer('DEEP', 'standard', 'call_center'),
    );
    r.inventory = new NumberInventory();
    r.inventory.add('CALLC', '+1404881*');
    r.inventory.add('AREA', '+1404*');
    r.inventory.add('DEEP', BLOCK[0]);
    return r;
  }
  const blockHour = (id: string) =>
    callsInHour(id, HOUR, 250, (i) => ({
      calling: BLOCK[i % 200],
      attestation: 'A',
      answered: true,
      durationS: conversationS(i),
    }));

  it("counts calls from numbers another customer holds by a prefix, on both lanes, never the holder's own or a caller's own prefix", () => {
    for (const lane of ['record', 'packed'] as const) {
      const agg = new Aggregator(prefixReference());
      for (const id of ['CALLC', 'OTHNUM', 'AREA', 'DEEP'])
        for (const c of blockHour(id)) {
          if (lane === 'record') agg.add(c);
          else agg.addPacked(packRecord(c, new PackedCall()));
        }
      const counted = (id: string) => agg.customerWindows().get(id)?.[0].callingOtherCustomer;
      expect(counted('OTHNUM'), lane).toBe(250);
      expect(counted('CALLC'), lane).toBe(0);
      // its own prefix covers the block, though CALLC's longer one says whose the numbers are
      expect(counted('AREA'), lane).toBe(0);
      // all but the two calls an hour from its own number (an exact entry inside CALLC's block)
      expect(counted('DEEP'), lane).toBe(248);
    }
  });

  it('puts an account presenting numbers another customer holds by a prefix at high, as if they were listed exactly', () => {
    const byPrefix = analyzeCalls([...blockHour('CALLC'), ...blockHour('OTHNUM')], prefixReference());
    const exactly = prefixReference();
    exactly.inventory = new NumberInventory();
    for (const n of BLOCK) exactly.inventory.add('CALLC', n);
    const byNumber = analyzeCalls([...blockHour('CALLC'), ...blockHour('OTHNUM')], exactly);
    for (const findings of [byPrefix, byNumber]) {
      expect(codesFor(findings, 'OTHNUM')).toContain('OTHER_CUSTOMERS_NUMBER');
      expect(worstSeverity(findings, 'OTHNUM')).toBe('high');
      const reason = findings.flatMap((f) => f.reasons).find((x) => x.code === 'OTHER_CUSTOMERS_NUMBER');
      expect(reason?.detail).toMatch(/^250 calls \(100%\) presented caller IDs that other customers hold/);
      expect(codesFor(findings, 'CALLC').has('OTHER_CUSTOMERS_NUMBER')).toBe(false);
    }
  });
});
