import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditRecord } from '../../shared/audit/record.ts';
import {
  InMemoryCaseStore,
  InMemoryCustomerRegistry,
  RecordingNotifier,
} from '../../shared/cases/in-memory.ts';
import { approveReinstatement, requestReinstatement } from '../../shared/cases/reinstate.ts';
import type { Application } from '../../shared/kyc/application.ts';
import { assessApplication } from '../../shared/kyc/assess.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import {
  InMemoryDoNotOnboardList,
  InMemoryDossierStore,
  InMemoryOnboardingRegistry,
} from '../../shared/kyc/in-memory.ts';
import { listSuspendedCustomers } from '../../shared/kyc/suspended-backfill.ts';
import { SuspendedEntryOnStatusChange } from '../../shared/kyc/suspended-entry.ts';
import { addTerminatedToDoNotOnboard, TRACK_RECORD_STREAM } from '../../shared/kyc/track-record-review.ts';
import { cleanApplication } from './kyc-fixtures.ts';

/**
 * A customer suspended for suspicious traffic is compared with every applicant while the suspension
 * stands, as a terminated one is: otherwise it could apply again under a new name or customer id and
 * keep sending while under investigation.
 */
const NOW = new Date('2026-12-01T09:00:00.000Z');
const WHY = 'case C300-F-1: IRS impersonation calls';

/** Bayline Outreach (C300), onboarded with a dossier, and Quickdial Media (C301), imported without one. */
async function harness() {
  const inner = new InMemoryCustomerRegistry(
    ['C300', 'C301'].map((customerId) => ({
      customerId,
      name: null,
      vetting: 'new' as const,
      onboardedAt: null,
      trafficProfile: null,
      status: 'active' as const,
    })),
  );
  const dossiers = new InMemoryDossierStore();
  const bayline = cleanApplication({
    application_id: 'APP-BAYLINE',
    legal_name: 'Bayline Outreach LLC',
    id_number: '84-2223334',
    address: {
      street: '900 Harbor Way, Suite 12',
      city: 'Oakland',
      region: 'CA',
      postal_code: '94607',
      country: 'US',
    },
    alternate_phone: '+1 (510) 430-0142',
    originating_ips: ['192.0.2.0/28'],
    telephone_numbers: [{ number: '+15104300150', loa_reference: 'LOA-BL-1' }],
  });
  await dossiers.create({
    ...newDossier(bayline, 'sales', NOW),
    customerId: 'C300',
    status: 'activated',
  });
  const registry = new InMemoryOnboardingRegistry();
  await registry.put({
    customer_id: 'C301',
    name: 'Quickdial Media',
    onboarded_at: '2025-01-01T00:00:00.000Z',
    vetting: 'standard',
    traffic_profile: 'dialer',
    tier_since: '2025-01-01T00:00:00.000Z',
    verified_at: '2025-01-01T00:00:00.000Z',
  });
  const doNotOnboard = new InMemoryDoNotOnboardList();
  const stopped = { dossiers, registry, doNotOnboard };
  const audit = new InMemoryAuditStore();
  const customers = new SuspendedEntryOnStatusChange(inner, { ...stopped, audit });
  const assess = async (app: Application, standingOf?: string) =>
    assessApplication(
      app,
      {
        doNotOnboard: await doNotOnboard.list(),
        rmd: () => null,
        dno: new Set(),
        holders: () => [],
        customers: [],
      },
      standingOf ? await inner.get(standingOf) : null,
    );
  /** carol asks, dave approves: only the approval changes the status */
  const reinstate = async (customerId: string) => {
    const deps = {
      customers,
      cases: new InMemoryCaseStore(),
      notifier: new RecordingNotifier(),
      audit,
      now: () => NOW,
    };
    await requestReinstatement(
      {
        customerId,
        reason: 'investigation closed: the traffic was a misconfigured dialer',
        requestedBy: 'carol',
      },
      deps,
    );
    return approveReinstatement({ customerId, approvedBy: 'dave' }, deps);
  };
  /** the do-not-onboard changes the track-record chain records: action, customer, source, why */
  const listChanges = async () => {
    const records = (await audit.list(TRACK_RECORD_STREAM)) as AuditRecord[];
    expect(verifyChain(TRACK_RECORD_STREAM, records)).toMatchObject({ ok: true });
    return records
      .filter((r) => r.action.startsWith('do_not_onboard.'))
      .map((r) => [r.action, r.customerId, r.details?.source, r.reason]);
  };
  return { inner, customers, doNotOnboard, stopped, audit, listChanges, assess, reinstate, bayline };
}

/** A new business as the applicant calls itself; every identifier differs from Bayline's unless given. */
const newcomer = (over: Record<string, unknown> = {}) =>
  cleanApplication({ application_id: 'APP-NEW', legal_name: 'Coastline Reach Partners', ...over });

describe('a suspended customer on the do-not-onboard list', () => {
  it('is listed once per suspension, with its dossier identifiers, why and since when', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    const since = (await h.inner.get('C300'))?.statusChangedAt;
    const first = await h.doNotOnboard.list();
    expect(first).toEqual([
      {
        entry_id: 'suspended#C300',
        source: 'suspended',
        customer_id: 'C300',
        added_at: since,
        reason: WHY,
        names: ['Bayline Outreach LLC'],
        address: h.bayline.address,
        id_number: '84-2223334',
        alternate_phone: '+1 (510) 430-0142',
        ip_ranges: ['192.0.2.0/28'],
        numbers: ['+15104300150'],
      },
    ]);
    // a second case suspends the suspended customer again: the same entry since the same date, not a
    // second one, with the latest decision's reason
    await h.customers.setStatus('C300', 'suspended', 'case C300-F-2: more of the same');
    expect(await h.doNotOnboard.list()).toEqual([{ ...first[0], reason: 'case C300-F-2: more of the same' }]);
  });

  it('makes an applicant with its ID number, its address and phone, or its name high risk, naming it', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    const since = (await h.inner.get('C300'))?.statusChangedAt;
    const named = `suspended customer C300 (Bayline Outreach LLC), suspended since ${since}`;
    const cases: Array<[string, Application]> = [
      ['PRIOR_ID_NUMBER', newcomer({ id_number: '842223334' })],
      ['PRIOR_IDENTIFIERS', newcomer({ address: h.bayline.address, alternate_phone: '(510) 430-0142' })],
      ['PRIOR_SINGLE_IDENTIFIER', newcomer({ originating_ips: ['192.0.2.7'] })],
      ['PRIOR_NAME', newcomer({ legal_name: 'BAYLINE OUTREACH, INC.' })],
    ];
    for (const [code, app] of cases) {
      const result = await h.assess(app);
      expect(result.risk, code).toBe('high');
      expect(result.reasons, code).toMatchObject([
        { code, risk: 'high', evidence: { source: 'suspended', customer_id: 'C300', listed_because: WHY } },
      ]);
      expect(result.reasons[0].detail, code).toContain(named);
      // an executive decides: a suspension is not final, so the applicant is not refused outright
      expect(result.executiveBecause, code).toContain('high risk');
      expect(result.barred, code).toBeNull();
    }
  });

  it("does not match the suspended customer's own renewal: its status already says it is suspended", async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    const renewal = { ...h.bayline, application_id: 'REVERIFY-C300', renewing_customer_id: 'C300' };
    const result = await h.assess(renewal, 'C300');
    expect(result.reasons.map((r) => r.code)).toEqual(['CUSTOMER_SUSPENDED']);
    // an id typed in another case is judged as the customer it names, and matched as it too
    const lower = await h.assess({ ...renewal, renewing_customer_id: 'c300' }, 'C300');
    expect(lower.reasons.map((r) => r.code)).not.toContain('PRIOR_ID_NUMBER');
  });

  it('leaves the list when the customer is reinstated: the same applicant then has no such reason', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    const comeback = newcomer({ id_number: '842223334' });
    expect((await h.assess(comeback)).reasons.map((r) => r.code)).toEqual(['PRIOR_ID_NUMBER']);
    await h.reinstate('C300');
    expect(await h.doNotOnboard.list()).toEqual([]);
    expect(await h.assess(comeback)).toMatchObject({ risk: 'low', reasons: [] });
    // a status change that finds no entry removes nothing and fails nothing
    await h.customers.setStatus('C300', 'warned', 'case C300-F-3: warned');
    expect(await h.doNotOnboard.list()).toEqual([]);
  });

  it('is replaced by the termination entry when the customer is terminated: one entry per customer', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    // what the case workflow's enforce step does on a termination
    await h.customers.setStatus('C300', 'terminated', 'case C300-F-4: terminated');
    await addTerminatedToDoNotOnboard('C300', 'case C300-F-4: terminated', {
      ...h.stopped,
      audit: h.audit,
      now: () => NOW,
    });
    expect(await h.doNotOnboard.list()).toMatchObject([
      { entry_id: 'terminated#C300', source: 'terminated', customer_id: 'C300' },
    ]);
  });

  it('is matched by its registry name only when it was onboarded without a dossier', async () => {
    const h = await harness();
    await h.customers.setStatus('C301', 'suspended', 'case C301-F-1: spoofed caller IDs');
    expect(await h.doNotOnboard.list()).toMatchObject([
      { entry_id: 'suspended#C301', names: ['Quickdial Media'], ip_ranges: [], numbers: [] },
    ]);
    const result = await h.assess(newcomer({ legal_name: 'Quickdial Media LLC' }));
    expect(result.reasons).toMatchObject([{ code: 'PRIOR_NAME', risk: 'high' }]);
    expect(result.reasons[0].detail).toMatch(
      /^name resembles suspended customer C301 \(Quickdial Media\), suspended since /,
    );
  });
  it('records each addition and removal once in the audit log, naming the customer, the source and why', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    // a retried step and a second case's suspension write the entry again, not the record
    await h.customers.setStatus('C300', 'suspended', WHY);
    await h.customers.setStatus('C300', 'suspended', 'case C300-F-2: more of the same');
    expect(await h.listChanges()).toEqual([['do_not_onboard.added', 'C300', 'suspended', WHY]]);
    await h.reinstate('C300');
    // a retried reinstatement, and a later warning, find nothing more to record
    await h.customers.setStatus('C300', 'active', 'reinstated by carol: retried');
    await h.customers.setStatus('C300', 'warned', 'case C300-F-3: warned');
    const reinstated =
      'active: reinstated by dave, requested by carol: investigation closed: the traffic was a misconfigured dialer';
    expect(await h.listChanges()).toEqual([
      ['do_not_onboard.added', 'C300', 'suspended', WHY],
      ['do_not_onboard.removed', 'C300', 'suspended', reinstated],
    ]);
    // a new suspension is a new addition
    await h.customers.setStatus('C300', 'suspended', 'case C300-F-4: spoofing');
    expect((await h.listChanges()).at(-1)).toEqual([
      'do_not_onboard.added',
      'C300',
      'suspended',
      'case C300-F-4: spoofing',
    ]);
  });

  it('records a removal that a crash cut short once the retry finishes it', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    // the entry is gone but the invocation died before its record: the retried step records it
    await h.doNotOnboard.remove('suspended#C300');
    await h.customers.setStatus('C300', 'active', 'reinstated by carol: remediated');
    expect((await h.listChanges()).map(([action]) => action)).toEqual([
      'do_not_onboard.added',
      'do_not_onboard.removed',
    ]);
  });

  it('records the termination replacing the suspended entry once, however often the enforce step runs', async () => {
    const h = await harness();
    await h.customers.setStatus('C300', 'suspended', WHY);
    await h.customers.setStatus('C300', 'terminated', 'case C300-F-4: terminated');
    for (let run = 0; run < 2; run++)
      await addTerminatedToDoNotOnboard('C300', 'case C300-F-4: terminated', {
        ...h.stopped,
        audit: h.audit,
        now: () => NOW,
      });
    expect(await h.listChanges()).toEqual([
      ['do_not_onboard.added', 'C300', 'suspended', WHY],
      ['do_not_onboard.added', 'C300', 'terminated', 'case C300-F-4: terminated'],
      [
        'do_not_onboard.removed',
        'C300',
        'suspended',
        "terminated, replaced by the termination's entry: case C300-F-4: terminated",
      ],
    ]);
  });
});

describe('the backfill of customers suspended before suspensions were listed', () => {
  it('lists every suspended customer without an entry, says how many, and adds nothing when run again', async () => {
    const h = await harness();
    // suspended before the list followed suspensions: the status is there, the entry is not
    await h.inner.setStatus('C300', 'suspended', WHY);
    await h.inner.setStatus('C301', 'suspended', 'case C301-F-1: spoofed caller IDs');
    await h.inner.setStatus('C302', 'warned', 'case C302-F-1: warned');
    const since = (await h.inner.get('C300'))?.statusChangedAt;
    const deps = { ...h.stopped, customers: h.inner, audit: h.audit };

    expect(await listSuspendedCustomers(deps)).toEqual({ added: ['C300', 'C301'], alreadyListed: 0 });
    expect(await h.doNotOnboard.list()).toMatchObject([
      { entry_id: 'suspended#C300', added_at: since, reason: WHY, names: ['Bayline Outreach LLC'] },
      { entry_id: 'suspended#C301', reason: 'case C301-F-1: spoofed caller IDs', names: ['Quickdial Media'] },
    ]);
    const recorded = await h.listChanges();
    expect(recorded.map(([action, customer]) => `${action} ${customer}`)).toEqual([
      'do_not_onboard.added C300',
      'do_not_onboard.added C301',
    ]);

    const listed = await h.doNotOnboard.list();
    expect(await listSuspendedCustomers(deps)).toEqual({ added: [], alreadyListed: 2 });
    expect(await h.doNotOnboard.list()).toEqual(listed);
    expect(await h.listChanges()).toEqual(recorded);
  });
});
