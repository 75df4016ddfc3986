import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { parseCustomers } from '../../shared/detect/customers.ts';
import { declarationsOf } from '../../shared/detect/declarations.ts';
import { emptyReference, NumberInventory } from '../../shared/detect/reference.ts';
import { analyzeCalls, type CallSpec, callsInHour, codesFor, customer, HOUR } from '../helpers/traffic.ts';

/**
 * What a customer declared at onboarding (originating addresses, calling numbers) held against its
 * traffic: UNDECLARED_SOURCE_IP and UNDECLARED_CALLING_NUMBER, per customer-hour window.
 */
const DECLARED_NUMBER = '+12064301100';
const INVENTORY_NUMBER = '+12064301101';

function reference() {
  const ref = emptyReference();
  const c1 = {
    ...customer('C1', 'standard', 'notifications'),
    declared_ip_ranges: ['203.0.113.0/28', '2001:db8::/32'],
    declared_numbers: [DECLARED_NUMBER],
  };
  ref.customers.set('C1', c1);
  ref.customers.set('C2', customer('C2', 'standard', 'notifications'));
  ref.declarations = declarationsOf(ref.customers.values());
  ref.inventory = new NumberInventory();
  ref.inventory.add('C1', INVENTORY_NUMBER);
  return ref;
}

/** 100 calls: `undeclared` of them from an undeclared platform with an undeclared caller ID */
function hour(customerId: string, undeclared: number) {
  return callsInHour(customerId, HOUR, 100, (i): CallSpec => {
    // signed B by the customer: it knows the caller, not that the number is the caller's
    if (i < undeclared) return { calling: '+13129870199', sourceIp: '198.51.100.9', attestation: 'B' };
    // declared shapes: a plain address, one with its port, IPv6 with brackets; declared or held numbers
    const sourceIp = ['203.0.113.5', '203.0.113.6:5060', '[2001:db8::7]:5060'][i % 3];
    return { calling: i % 2 === 0 ? DECLARED_NUMBER : INVENTORY_NUMBER, sourceIp };
  });
}

describe('declared traffic', () => {
  it('counts, per window, calls from undeclared addresses and with undeclared caller IDs', () => {
    const agg = new Aggregator(reference());
    for (const c of [...hour('C1', 30), ...hour('C2', 30)]) agg.add(c);
    const windows = agg.customerWindows();
    expect(windows.get('C1')?.[0]).toMatchObject({
      sourceChecked: 100,
      sourceUndeclared: 30,
      declaredCallingChecked: 100,
      callingUndeclared: 30,
    });
    // a customer that declared nothing is never checked
    expect(windows.get('C2')?.[0]).toMatchObject({
      sourceChecked: 0,
      sourceUndeclared: 0,
      declaredCallingChecked: 0,
      callingUndeclared: 0,
    });
  });

  it('makes both reasons past 10% of the checked calls, quiet at 5%, and never for a customer without declarations', () => {
    const findings = analyzeCalls([...hour('C1', 30), ...hour('C2', 30)], reference());
    expect(codesFor(findings, 'C1')).toEqual(new Set(['UNDECLARED_SOURCE_IP', 'UNDECLARED_CALLING_NUMBER']));
    // C2 declared nothing, so neither reason; but 35 of its 100 calls present the number C1 holds
    expect(codesFor(findings, 'C2')).toEqual(new Set(['OTHER_CUSTOMERS_NUMBER']));
    const reasons = findings.find((f) => f.customer_id === 'C1')?.reasons ?? [];
    expect(reasons.find((r) => r.code === 'UNDECLARED_SOURCE_IP')?.detail).toBe(
      '30 of 100 calls (30%) came from source addresses outside the ones declared at onboarding (203.0.113.0/28, 2001:db8::/32)',
    );
    expect(reasons.find((r) => r.code === 'UNDECLARED_CALLING_NUMBER')?.detail).toMatch(/^30 of 100 calls/);
    // an unvetted platform with unvetted numbers (a resold account) is high together; either alone,
    // a reason to look (a new platform not yet declared), medium at most
    expect(findings.find((f) => f.customer_id === 'C1')?.severity).toBe('high');
    const platformOnly = callsInHour('C1', HOUR, 100, () => ({
      calling: DECLARED_NUMBER,
      sourceIp: '198.51.100.9',
    }));
    const alone = analyzeCalls(platformOnly, reference()).find((f) => f.customer_id === 'C1');
    expect(alone?.reasons.map((r) => r.code)).toEqual(['UNDECLARED_SOURCE_IP']);
    expect(alone?.severity).toBe('medium');
    expect(codesFor(analyzeCalls(hour('C1', 5), reference()), 'C1')).toEqual(new Set());
  });

  it('reads the declared columns of the registry CSV (semicolon-separated) and names a bad entry', () => {
    const header = 'customer_id,vetting,traffic_profile,declared_ip_ranges,declared_numbers';
    const map = parseCustomers(
      `${header}\nA,standard,dialer,203.0.113.0/28;198.51.100.7,(206) 430-1100; +12064301101\nB,new,dialer,,\n`,
      'c.csv',
    );
    expect(map.get('A')).toMatchObject({
      declared_ip_ranges: ['203.0.113.0/28', '198.51.100.7'],
      declared_numbers: ['+12064301100', '+12064301101'],
    });
    expect(map.get('B')?.declared_ip_ranges).toBeUndefined();
    expect(() => parseCustomers(`${header}\nC,new,dialer,203.0.113.0/33,\n`, 'c.csv')).toThrow(
      /c\.csv: line 2: declared_ip_ranges\.0: '203\.0\.113\.0\/33' is not an IP address or CIDR block/,
    );
    expect(() => parseCustomers(`${header}\nC,new,dialer,,call-me\n`, 'c.csv')).toThrow(
      /c\.csv: line 2: declared_numbers\.0: 'call-me' is not an E\.164 or NANP number/,
    );
  });
});
