import { describe, expect, it } from 'vitest';
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
});
