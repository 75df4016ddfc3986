import { describe, expect, it } from 'vitest';
import { InMemoryCaseStore } from '../../shared/cases/in-memory.ts';
import { newCase } from '../../shared/cases/model.ts';
import { customerStatusLines } from '../../shared/cases/render-customer.ts';
import { caseSummary } from '../../shared/cases/summary.ts';

const trigger = (key: string, customer: string) => ({
  key,
  type: 'finding' as const,
  severity: 'high' as const,
  receivedAt: '2026-11-28T10:00:00.000Z',
  event: { customer_id: customer, reasons: [{ code: 'LOW_ASR' }] },
});

describe("a customer's status and cases", () => {
  it('lists one customer’s cases, open or closed, newest first, and no one else’s', async () => {
    const store = new InMemoryCaseStore();
    await store.open(newCase('A-1', trigger('k1', 'A'), '2026-11-01T00:00:00.000Z'));
    const first = await store.get('A-1');
    if (!first) throw new Error('A-1 not stored');
    await store.save({ ...first, status: 'closed', outcome: 'warn' });
    await store.release('A', 'A-1');
    expect(await store.open(newCase('A-2', trigger('k2', 'A'), '2026-11-20T00:00:00.000Z'))).toEqual({
      opened: true,
    });
    await store.open(newCase('B-1', trigger('k3', 'B'), '2026-11-10T00:00:00.000Z'));
    const listed = await store.listForCustomer('A');
    expect(listed.map(caseSummary).map((c) => [c.caseId, c.status, c.outcome, c.reasons])).toEqual([
      ['A-2', 'gathering', null, 'LOW_ASR'],
      ['A-1', 'closed', 'warn', 'LOW_ASR'],
    ]);
    expect(await store.listForCustomer('C')).toEqual([]);
  });

  it('says where enforcement left the customer, when and why', () => {
    const lines = customerStatusLines('C042', {
      customerId: 'C042',
      name: 'Acme Dialer LLC',
      vetting: 'new',
      onboardedAt: '2026-10-01',
      trafficProfile: 'dialer',
      status: 'terminated',
      statusReason: 'case C042-F-1: DNO traffic from +12025550143',
      statusChangedAt: '2026-11-28T10:00:00.000Z',
    });
    expect(lines).toEqual([
      'Customer C042 (Acme Dialer LLC)',
      '  status   terminated since 2026-11-28T10:00:00.000Z: case C042-F-1: DNO traffic from ***0143',
      '  vetting  new; traffic profile dialer; onboarded 2026-10-01',
    ]);
    // never changed: no date or reason to give
    expect(
      customerStatusLines('C7', {
        customerId: 'C7',
        name: null,
        vetting: 'standard',
        onboardedAt: null,
        trafficProfile: null,
        status: 'active',
      })[1],
    ).toBe('  status   active');
    expect(customerStatusLines('C9', null)).toEqual([
      'Customer C9: not in the registry (judged as a new customer)',
    ]);
  });

  it('names a reinstatement waiting for a second person, and one that no longer holds', () => {
    const suspended = {
      customerId: 'C042',
      name: null,
      vetting: 'new' as const,
      onboardedAt: null,
      trafficProfile: null,
      status: 'suspended' as const,
      statusReason: 'case C042-F-1: DNO traffic',
      statusChangedAt: '2026-11-28T10:00:00.000Z',
    };
    const request = {
      seq: 1,
      requestedBy: 'carol',
      requestedAt: '2026-12-01T09:00:00.000Z',
      reason: 'remediation verified with +12025550143',
      statusBefore: 'suspended' as const,
      statusChangedAt: '2026-11-28T10:00:00.000Z',
      restoreTo: 'active' as const,
      caseId: null,
    };
    expect(customerStatusLines('C042', suspended, request).slice(3)).toEqual([
      '  reinstatement requested by carol on 2026-12-01T09:00:00.000Z: remediation verified with ***0143',
      '    waiting for another person: traceguard customers reinstate C042 --approve (or --decline --reason "...")',
    ]);
    expect(
      customerStatusLines('C042', { ...suspended, statusChangedAt: '2026-12-02T00:00:00.000Z' }, request)[4],
    ).toBe(
      '    no longer holds: the status changed since the reinstatement was requested (suspended since 2026-11-28T10:00:00.000Z then, suspended since 2026-12-02T00:00:00.000Z now); decline it (traceguard customers reinstate C042 --decline --reason "...")',
    );
    expect(customerStatusLines('C042', suspended)).toHaveLength(3);
  });
});
