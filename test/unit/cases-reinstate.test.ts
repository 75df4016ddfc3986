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
import {
  approveReinstatement,
  declineReinstatement,
  ReinstatementRefused,
  requestReinstatement,
} from '../../shared/cases/reinstate.ts';
import { readReinstatementRequest } from '../../shared/cases/reinstatement-request.ts';

const REASON = 'remediation verified: consent records and new origin IPs checked';
const AT = '2026-12-01T09:00:00.000Z';

/** C042 put in `initial` by case C042-F-1, closed (or still open, waiting for the analyst). */
async function harness(initial: CustomerStatus, caseOpen = false) {
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
  if (initial !== 'active') await customers.setStatus('C042', initial, 'case C042-F-1: DNO traffic');
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
  const reopen = (open: boolean) =>
    cases.save(
      open
        ? { ...opened, status: 'awaiting_review', awaitingStage: 'analyst' }
        : { ...opened, status: 'closed', outcome: 'suspend' },
    );
  await reopen(caseOpen);
  const notifier = new RecordingNotifier();
  const audit = new InMemoryAuditStore();
  const deps = { customers, cases, notifier, audit, now: () => new Date(AT) };
  const request = (requestedBy = 'carol', reason: unknown = REASON) =>
    requestReinstatement({ customerId: 'C042', reason, requestedBy }, deps);
  const approve = (approvedBy = 'dave') => approveReinstatement({ customerId: 'C042', approvedBy }, deps);
  const decline = (declinedBy = 'dave', reason: unknown = 'consent records not yet checked') =>
    declineReinstatement({ customerId: 'C042', reason, declinedBy }, deps);
  const records = async () => (await audit.list(auditStreams.forCustomer('C042'))) as AuditRecord[];
  const status = async () => (await customers.get('C042'))?.status;
  return { customers, notifier, audit, request, approve, decline, records, status, reopen };
}

describe('reinstating a customer takes two people', () => {
  for (const status of ['suspended', 'warned'] as const) {
    it(`a ${status} customer stays ${status} on the request, and is active once another person approves it`, async () => {
      const h = await harness(status);
      const { request } = await h.request();
      expect(request).toMatchObject({ seq: 1, requestedBy: 'carol', reason: REASON, statusBefore: status });
      expect(await h.status()).toBe(status);
      expect(h.notifier.enforcement).toEqual([]);
      expect((await readReinstatementRequest(h.audit, 'C042')).request).toEqual(request);

      expect(await h.approve()).toEqual({ before: status, status: 'active', requestedBy: 'carol' });
      expect(await h.customers.get('C042')).toMatchObject({
        status: 'active',
        statusReason: `reinstated by dave, requested by carol: ${REASON}`,
      });
      expect(h.notifier.enforcement).toEqual([
        {
          type: 'enforcement',
          case_id: 'C042-F-1',
          customer_id: 'C042',
          action: 'reinstate',
          status: 'active',
          reason: `reinstated by dave, requested by carol: ${REASON}`,
          decided_by: ['carol', 'dave'],
          at: AT,
        },
      ]);
      const records = await h.records();
      expect(verifyChain(auditStreams.forCustomer('C042'), records)).toMatchObject({ ok: true });
      expect(records).toMatchObject([
        {
          actor: { role: 'analyst', id: 'carol' },
          action: 'customer.reinstatement_requested',
          reason: REASON,
          customerId: 'C042',
          caseId: 'C042-F-1',
          details: { statusBefore: status },
        },
        {
          actor: { role: 'analyst', id: 'dave' },
          action: 'customer.reinstated',
          reason: REASON,
          customerId: 'C042',
          caseId: 'C042-F-1',
          details: { statusBefore: status, statusAfter: 'active', requestedBy: 'carol', requestSeq: 1 },
        },
      ]);
      expect((await readReinstatementRequest(h.audit, 'C042')).request).toBeNull();
    });
  }

  it('the person who requested it cannot approve it, under any spelling of their name', async () => {
    const h = await harness('suspended');
    await h.request('carol');
    for (const same of ['carol', ' Carol ', 'CAROL'])
      await expect(h.approve(same)).rejects.toThrow(
        /^customer C042: .*carol.* requested this reinstatement and cannot also approve it: another person must$/i,
      );
    expect(await h.status()).toBe('suspended');
    expect(h.notifier.enforcement).toEqual([]);
    expect((await h.records()).map((r) => r.action)).toEqual(['customer.reinstatement_requested']);
  });

  it('an approval without a request waiting is refused; a declined request cannot be approved', async () => {
    const h = await harness('suspended');
    await expect(h.approve()).rejects.toThrow(
      /^customer C042: no reinstatement is waiting for approval: one person requests it/,
    );
    await expect(h.decline()).rejects.toThrow(/no reinstatement is waiting: nothing to decline/);
    await h.request('carol');
    await expect(h.decline('dave', 'no')).rejects.toThrow(/reason must explain/);
    expect(await h.decline('dave')).toMatchObject({ request: { requestedBy: 'carol' } });
    await expect(h.approve('erin')).rejects.toThrow(/no reinstatement is waiting for approval/);
    expect(await h.status()).toBe('suspended');
    expect(h.notifier.enforcement).toEqual([]);
    expect(await h.records()).toMatchObject([
      { action: 'customer.reinstatement_requested', actor: { id: 'carol' } },
      {
        action: 'customer.reinstatement_declined',
        actor: { id: 'dave' },
        reason: 'consent records not yet checked',
        details: { requestedBy: 'carol', requestSeq: 1 },
      },
    ]);
    // a new request after the decline starts over
    await h.request('erin');
    await expect(h.approve('erin')).rejects.toThrow(/cannot also approve it/);
    expect((await h.approve('carol')).requestedBy).toBe('erin');
  });

  it('a second request while one is waiting is refused, and of two made at once one is', async () => {
    const h = await harness('suspended');
    await h.request('carol');
    await expect(h.request('dave')).rejects.toThrow(
      /^customer C042: a reinstatement is already waiting, requested by carol on .*: another person approves it/,
    );
    const other = await harness('suspended');
    const both = await Promise.allSettled([other.request('carol'), other.request('dave')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((both[1] as PromiseRejectedResult).reason.message).toMatch(
      /^customer C042: its reinstatement record changed meanwhile \(someone else acted on it\)/,
    );
    expect((await other.records()).map((r) => r.actor.id)).toEqual(['carol']);
  });

  it('a request made before the status changed no longer holds: its approval is refused, a new one may be made', async () => {
    const h = await harness('warned');
    await h.request('carol');
    // a later case suspends the warned customer
    await h.customers.setStatus('C042', 'suspended', 'case C042-F-2: critical');
    await expect(h.approve()).rejects.toThrow(
      /^customer C042: the status changed since the reinstatement was requested \(warned since .* then, suspended since .* now\): the request no longer holds/,
    );
    expect(await h.status()).toBe('suspended');
    expect(h.notifier.enforcement).toEqual([]);
    const { request } = await h.request('erin');
    expect(request).toMatchObject({ seq: 2, statusBefore: 'suspended' });
    expect((await h.records())[1].details).toMatchObject({ supersedes: 1 });
    expect(await h.approve('dave')).toMatchObject({ before: 'suspended', requestedBy: 'erin' });
  });

  it('a terminated customer is refused: termination is final, the business applies again as a new customer', async () => {
    const h = await harness('terminated');
    await expect(h.request()).rejects.toThrow(ReinstatementRefused);
    await expect(h.request()).rejects.toThrow(
      /^customer C042 cannot be reinstated: customer C042 was terminated on .*: a termination is final.*applies as a new customer.*which an executive must approve$/,
    );
    await expect(h.approve()).rejects.toThrow(/a termination is final/);
    expect(await h.status()).toBe('terminated');
    expect(h.notifier.enforcement).toEqual([]);
    expect(await h.records()).toEqual([]);
  });

  it("refuses 'system', a reason too short to read, an active customer, and a customer whose case is open", async () => {
    const suspended = await harness('suspended');
    await expect(suspended.request('System')).rejects.toThrow(/decidedBy must name a person/);
    await expect(suspended.request('carol', 'ok')).rejects.toThrow(/reason must explain/);
    await expect((await harness('active')).request()).rejects.toThrow(
      /customer C042 is active: nothing to reinstate/,
    );
    const pending = await harness('suspended', true);
    await expect(pending.request()).rejects.toThrow(
      /customer C042 has case C042-F-1 open \(waiting for the analyst review\): .*traceguard cases decide C042-F-1/,
    );
    // a case reopened after the request: its review decides, the approval waits
    await suspended.request('carol');
    await expect(suspended.approve('System')).rejects.toThrow(/decidedBy must name a person/);
    await suspended.reopen(true);
    await expect(suspended.approve()).rejects.toThrow(/customer C042 has case C042-F-1 open/);
    expect(await suspended.status()).toBe('suspended');
    expect(await pending.status()).toBe('suspended');
    expect([...suspended.notifier.enforcement, ...pending.notifier.enforcement]).toEqual([]);
  });
});

describe('two people approving at once', () => {
  it('the second is refused, saying the status changed meanwhile: one event, one approval recorded', async () => {
    const h = await harness('suspended');
    await h.request('carol');
    const both = await Promise.allSettled([h.approve('dave'), h.approve('erin')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const refused = (both[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(ReinstatementRefused);
    expect(refused.message).toBe(
      'customer C042 is no longer suspended (now active): its status was changed meanwhile, nothing was written',
    );
    expect(h.notifier.enforcement).toHaveLength(1);
    expect((await h.records()).map((r) => [r.action, r.actor.id])).toEqual([
      ['customer.reinstatement_requested', 'carol'],
      ['customer.reinstated', 'dave'],
    ]);
  });
});
