import { describe, expect, it } from 'vitest';
import { auditStreams } from '../../shared/audit/append.ts';
import { verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditRecord } from '../../shared/audit/record.ts';
import {
  InMemoryCaseStore,
  InMemoryCustomerRegistry,
  RecordingNotifier,
} from '../../shared/cases/in-memory.ts';
import { type CustomerStatus, newCase } from '../../shared/cases/model.ts';
import { ReinstatementRefused, reinstateCustomer } from '../../shared/cases/reinstate.ts';

const REASON = 'remediation verified: consent records and new origin IPs checked';

/** C042 put in `status` by case C042-F-1, closed (or still open, waiting for the analyst). */
async function harness(status: CustomerStatus, caseOpen = false) {
  const customers = new InMemoryCustomerRegistry([
    {
      customerId: 'C042',
      name: 'Acme Dialer',
      vetting: 'new',
      onboardedAt: null,
      trafficProfile: null,
      status: 'active',
    },
  ]);
  if (status !== 'active') await customers.setStatus('C042', status, 'case C042-F-1: DNO traffic');
  const cases = new InMemoryCaseStore();
  const opened = newCase(
    'C042-F-1',
    {
      key: 'k',
      type: 'finding',
      severity: 'high',
      receivedAt: '2026-11-01T00:00:00.000Z',
      event: { customer_id: 'C042' },
    },
    '2026-11-01T00:00:00.000Z',
  );
  await cases.open(opened);
  await cases.save(
    caseOpen
      ? { ...opened, status: 'awaiting_review', awaitingStage: 'analyst' }
      : { ...opened, status: 'closed', outcome: 'suspend' },
  );
  const notifier = new RecordingNotifier();
  const audit = new InMemoryAuditStore();
  const reinstate = (decidedBy = 'carol', reason: unknown = REASON) =>
    reinstateCustomer(
      { customerId: 'C042', reason, decidedBy },
      { customers, cases, notifier, audit, now: () => new Date('2026-12-01T09:00:00.000Z') },
    );
  const records = async () => (await audit.list(auditStreams.forCustomer('C042'))) as AuditRecord[];
  return { customers, notifier, audit, reinstate, records };
}

describe('reinstating a customer', () => {
  for (const status of ['suspended', 'warned'] as const) {
    it(`a ${status} customer is active again, with an enforcement event and an audit record naming who and why`, async () => {
      const h = await harness(status);
      expect(await h.reinstate()).toEqual({ before: status, status: 'active' });
      expect(await h.customers.get('C042')).toMatchObject({
        status: 'active',
        statusReason: `reinstated by carol: ${REASON}`,
      });
      expect(h.notifier.enforcement).toEqual([
        {
          type: 'enforcement',
          case_id: 'C042-F-1',
          customer_id: 'C042',
          action: 'reinstate',
          status: 'active',
          reason: `reinstated by carol: ${REASON}`,
          decided_by: ['carol'],
          at: '2026-12-01T09:00:00.000Z',
        },
      ]);
      const records = await h.records();
      expect(verifyChain(auditStreams.forCustomer('C042'), records)).toMatchObject({ ok: true });
      expect(records).toMatchObject([
        {
          actor: { role: 'analyst', id: 'carol' },
          action: 'customer.reinstated',
          reason: REASON,
          customerId: 'C042',
          caseId: 'C042-F-1',
          details: { statusBefore: status, statusAfter: 'active' },
        },
      ]);
    });
  }

  it('a terminated customer is refused: termination is final, the business applies again as a new customer', async () => {
    const h = await harness('terminated');
    await expect(h.reinstate()).rejects.toThrow(ReinstatementRefused);
    await expect(h.reinstate()).rejects.toThrow(
      /^customer C042 cannot be reinstated: customer C042 was terminated on .*: a termination is final.*applies as a new customer.*which an executive must approve$/,
    );
    expect((await h.customers.get('C042'))?.status).toBe('terminated');
    expect(h.notifier.enforcement).toEqual([]);
    expect(await h.records()).toEqual([]);
  });

  it("refuses 'system', a reason too short to read, an active customer, and a customer whose case is still open", async () => {
    const suspended = await harness('suspended');
    await expect(suspended.reinstate('System')).rejects.toThrow(/decidedBy must name a person/);
    await expect(suspended.reinstate('carol', 'ok')).rejects.toThrow(/reason must explain/);
    await expect((await harness('active')).reinstate()).rejects.toThrow(
      /customer C042 is active: nothing to reinstate/,
    );
    const pending = await harness('suspended', true);
    await expect(pending.reinstate()).rejects.toThrow(
      /customer C042 has case C042-F-1 open \(waiting for the analyst review\): .*traceguard cases decide C042-F-1/,
    );
    expect((await suspended.customers.get('C042'))?.status).toBe('suspended');
    expect((await pending.customers.get('C042'))?.status).toBe('suspended');
    expect([...suspended.notifier.enforcement, ...pending.notifier.enforcement]).toEqual([]);
  });
});

describe('two people reinstating at once', () => {
  it('the second is refused, saying the status changed meanwhile: one event, one audit record', async () => {
    const h = await harness('suspended');
    const both = await Promise.allSettled([h.reinstate('carol'), h.reinstate('dave')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const refused = (both[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(ReinstatementRefused);
    expect(refused.message).toBe(
      'customer C042 is no longer suspended (now active): its status was changed meanwhile, nothing was written',
    );
    expect(h.notifier.enforcement).toHaveLength(1);
    expect((await h.records()).map((r) => r.actor.id)).toEqual(['carol']);
  });
});
