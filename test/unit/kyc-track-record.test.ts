import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import { InMemoryCustomerRegistry, RecordingNotifier } from '../../shared/cases/in-memory.ts';
import type { CustomerProfile } from '../../shared/cases/ports.ts';
import { assessApplication } from '../../shared/kyc/assess.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import {
  InMemoryDoNotOnboardList,
  InMemoryDossierStore,
  InMemoryOnboardingRegistry,
} from '../../shared/kyc/in-memory.ts';
import type { RegisteredCustomer } from '../../shared/kyc/ports.ts';
import { startReverification } from '../../shared/kyc/reverification.ts';
import { reviewTrackRecord, TRACK_RECORD_POLICY } from '../../shared/kyc/track-record.ts';
import {
  addTerminatedToDoNotOnboard,
  runTrackRecordReview,
  TRACK_RECORD_STREAM,
} from '../../shared/kyc/track-record-review.ts';
import {
  decideTrusted,
  openTrustedProposals,
  TrustedDecisionRefused,
} from '../../shared/kyc/trusted-decision.ts';
import { cleanApplication } from './kyc-fixtures.ts';

const NOW = new Date('2027-06-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const customer = (over: Partial<RegisteredCustomer> = {}): RegisteredCustomer => ({
  customer_id: 'C100',
  name: 'Harbor Dental',
  onboarded_at: daysAgo(100),
  vetting: 'new',
  traffic_profile: 'notifications',
  tier_since: daysAgo(100),
  verified_at: daysAgo(100),
  ...over,
});
const clean = (calls: number) => ({
  callsSinceTierStart: calls,
  lastHighFindingAt: null,
  lastTracebackAt: null,
});

describe('track-record policy', () => {
  it('promotes new to standard after a clean probation at meaningful volume, not before', () => {
    expect(reviewTrackRecord(customer(), clean(50_000), NOW)).toMatchObject([
      { kind: 'promote', to: 'standard' },
    ]);
    expect(reviewTrackRecord(customer(), clean(TRACK_RECORD_POLICY.minCallsForPromotion - 1), NOW)).toEqual(
      [],
    );
    expect(reviewTrackRecord(customer({ tier_since: daysAgo(89) }), clean(50_000), NOW)).toEqual([]);
  });

  it('proposes standard to trusted after the longer period, for an executive', () => {
    const standard = customer({ vetting: 'standard', tier_since: daysAgo(400), verified_at: daysAgo(10) });
    expect(reviewTrackRecord(standard, clean(200_000), NOW)).toMatchObject([{ kind: 'propose_trusted' }]);
    expect(reviewTrackRecord({ ...standard, tier_since: daysAgo(300) }, clean(200_000), NOW)).toEqual([]);
  });

  it('a high finding or a traceback since the clock started resets it; older ones do not', () => {
    const finding = { ...clean(50_000), lastHighFindingAt: daysAgo(5) };
    expect(reviewTrackRecord(customer(), finding, NOW)).toMatchObject([
      { kind: 'reset_clock', since: daysAgo(5), why: expect.stringMatching(/high finding/) },
    ]);
    const traceback = { ...clean(50_000), lastTracebackAt: daysAgo(3) };
    expect(reviewTrackRecord(customer(), traceback, NOW)).toMatchObject([
      { kind: 'reset_clock', why: expect.stringMatching(/traceback/) },
    ]);
    const old = { ...clean(50_000), lastTracebackAt: daysAgo(150) };
    expect(reviewTrackRecord(customer(), old, NOW)).toMatchObject([{ kind: 'promote' }]);
  });

  it('asks for re-verification at the policy interval, whatever the tier', () => {
    const due = customer({ vetting: 'trusted', verified_at: daysAgo(TRACK_RECORD_POLICY.reverifyEveryDays) });
    expect(reviewTrackRecord(due, clean(0), NOW)).toMatchObject([{ kind: 'reverify' }]);
  });
});

describe('scheduled review and termination', () => {
  it('writes promotions and resets to the registry detection reads, audits every change, notifies proposals', async () => {
    const registry = new InMemoryOnboardingRegistry();
    await registry.put(customer());
    await registry.put(customer({ customer_id: 'C200', tier_since: daysAgo(100) }));
    await registry.put(customer({ customer_id: 'C300', vetting: 'standard', tier_since: daysAgo(400) }));
    const audit = new InMemoryAuditStore();
    const notifier = new RecordingNotifier();
    const activity = async (id: string) =>
      id === 'C200' ? { ...clean(50_000), lastTracebackAt: daysAgo(2) } : clean(500_000);
    const customers = new InMemoryCustomerRegistry();
    await runTrackRecordReview({ registry, customers, activity, notifier, audit, now: () => NOW });

    expect(await registry.get('C100')).toMatchObject({ vetting: 'standard', tier_since: NOW.toISOString() });
    expect(await registry.get('C200')).toMatchObject({ vetting: 'new', tier_since: daysAgo(2) });
    expect(await registry.get('C300')).toMatchObject({ vetting: 'standard' });
    expect(notifier.onCall.map((m) => m.subject)).toEqual([
      expect.stringMatching(/C300 proposed for trusted/),
    ]);
    const records = await audit.list(TRACK_RECORD_STREAM);
    expect(verifyChain(TRACK_RECORD_STREAM, records)).toMatchObject({ ok: true });
    expect(records.map((r) => (r as { action: string }).action)).toEqual([
      'track_record.promote',
      'track_record.reset_clock',
      'track_record.propose_trusted',
    ]);
  });

  it("a terminated customer's identifiers join the do-not-onboard list and catch its next application", async () => {
    const dossiers = new InMemoryDossierStore();
    const original = cleanApplication({ application_id: 'APP-OLD', renewing_customer_id: 'C100' });
    await dossiers.create({ ...newDossier(original, 'sales', NOW), status: 'activated' });
    const doNotOnboard = new InMemoryDoNotOnboardList();
    const audit = new InMemoryAuditStore();
    await addTerminatedToDoNotOnboard('C100', 'terminated: case K-9, IRS impersonation', {
      dossiers,
      registry: new InMemoryOnboardingRegistry(),
      doNotOnboard,
      audit,
      now: () => NOW,
    });
    const entries = await doNotOnboard.list();
    expect(entries).toMatchObject([
      { entry_id: 'terminated#C100', source: 'terminated', customer_id: 'C100' },
    ]);

    const comeback = cleanApplication({ application_id: 'APP-NEW', legal_name: 'Bright Smile Partners' });
    const result = assessApplication(comeback, {
      doNotOnboard: entries,
      rmd: () => null,
      dno: new Set(),
      holders: () => [],
      customers: [],
    });
    expect(result.risk).toBe('high');
    expect(result.reasons[0].detail).toMatch(/terminated customer C100/);
    expect((await audit.list(TRACK_RECORD_STREAM)).length).toBe(1);
  });
});

describe('customers stopped by enforcement', () => {
  const standing = (customerId: string, status: CustomerProfile['status'], at: string): CustomerProfile => ({
    customerId,
    name: null,
    vetting: 'new',
    onboardedAt: null,
    trafficProfile: null,
    status,
    statusReason: `case ${customerId}-F-1: DNO calls at volume`,
    statusChangedAt: at,
  });

  it('are skipped: no promotion, clock reset, proposal or renewal; each run says who and why, the chain once per status', async () => {
    const registry = new InMemoryOnboardingRegistry();
    // active, each would be promoted, have its clock reset or be proposed, and re-verified
    const stopped = [
      customer({ customer_id: 'C-TERM', verified_at: daysAgo(400) }),
      customer({ customer_id: 'C-SUSP', verified_at: daysAgo(400) }),
      customer({ customer_id: 'C-SUSP2', vetting: 'standard', tier_since: daysAgo(400) }),
    ];
    for (const c of [...stopped, customer({ customer_id: 'C-OK' })]) await registry.put(c);
    const customers = new InMemoryCustomerRegistry([
      standing('C-TERM', 'terminated', daysAgo(20)),
      standing('C-SUSP', 'suspended', daysAgo(3)),
      standing('C-SUSP2', 'suspended', daysAgo(3)),
      { ...standing('C-OK', 'active', daysAgo(100)), statusReason: null },
    ]);
    const audit = new InMemoryAuditStore();
    const notifier = new RecordingNotifier();
    const renewals: string[] = [];
    const review = () =>
      runTrackRecordReview({
        registry,
        customers,
        activity: async (id) =>
          id === 'C-SUSP' ? { ...clean(50_000), lastHighFindingAt: daysAgo(4) } : clean(500_000),
        notifier,
        audit,
        reverify: async (c) => {
          renewals.push(c.customer_id);
          return { applicationId: `REVERIFY-${c.customer_id}`, started: 'started' };
        },
        now: () => NOW,
      });

    const first = await review();
    expect(first.actions.map((a) => [a.customerId, a.action.kind])).toEqual([['C-OK', 'promote']]);
    expect(first.skipped).toEqual([
      {
        customerId: 'C-TERM',
        status: 'terminated',
        why: expect.stringMatching(/^customer C-TERM was terminated on .*: a termination is final/),
      },
      { customerId: 'C-SUSP', status: 'suspended', why: expect.stringMatching(/until it is reinstated/) },
      { customerId: 'C-SUSP2', status: 'suspended', why: expect.stringMatching(/is suspended since /) },
    ]);
    for (const c of stopped) expect(await registry.get(c.customer_id)).toEqual(c);
    expect(renewals).toEqual([]);
    expect(notifier.onCall).toEqual([]);

    // the next day says so again, but the chain already has it
    expect((await review()).skipped.map((s) => s.customerId)).toEqual(['C-TERM', 'C-SUSP', 'C-SUSP2']);
    const records = (await audit.list(TRACK_RECORD_STREAM)) as Array<{ action: string; customerId: string }>;
    expect(verifyChain(TRACK_RECORD_STREAM, records)).toMatchObject({ ok: true });
    expect(records.map((r) => [r.action, r.customerId])).toEqual([
      ['track_record.skipped', 'C-TERM'],
      ['track_record.skipped', 'C-SUSP'],
      ['track_record.skipped', 'C-SUSP2'],
      ['track_record.promote', 'C-OK'],
    ]);

    // reinstated: the incident behind the suspension restarts its clock, and its renewal goes out
    customers.profiles.set('C-SUSP', { ...standing('C-SUSP', 'active', NOW.toISOString()) });
    const after = await review();
    expect(after.actions.map((a) => [a.customerId, a.action.kind])).toEqual([
      ['C-SUSP', 'reverify'],
      ['C-SUSP', 'reset_clock'],
    ]);
    expect(renewals).toEqual(['C-SUSP']);
  });
});

describe('trusted vetting: proposed by the review, decided by an executive', () => {
  async function proposed() {
    const registry = new InMemoryOnboardingRegistry();
    await registry.put(customer({ customer_id: 'C300', vetting: 'standard', tier_since: daysAgo(400) }));
    const audit = new InMemoryAuditStore();
    const notifier = new RecordingNotifier();
    const customers = new InMemoryCustomerRegistry();
    const review = () =>
      runTrackRecordReview({
        registry,
        customers,
        activity: async () => clean(500_000),
        notifier,
        audit,
        now: () => NOW,
      });
    return { registry, customers, audit, notifier, review };
  }

  it('proposes once: the next daily run does not page again while the proposal is open', async () => {
    const t = await proposed();
    await t.review();
    await t.review();
    expect(t.notifier.onCall).toHaveLength(1);
  });

  it('approval makes the customer trusted in the registry, restarts its clock, and names the executive', async () => {
    const t = await proposed();
    await t.review();
    const done = await decideTrusted(
      { customerId: 'C300', decision: 'approve', reason: '400 clean days, 2M calls', decidedBy: 'exec-bob' },
      { registry: t.registry, customers: t.customers, audit: t.audit, now: () => NOW },
    );
    expect(done).toEqual({ vetting: 'trusted' });
    expect(await t.registry.get('C300')).toMatchObject({ vetting: 'trusted', tier_since: NOW.toISOString() });
    const records = (await t.audit.list(TRACK_RECORD_STREAM)) as Array<{ action: string; actor: unknown }>;
    expect(records.at(-1)).toMatchObject({
      action: 'track_record.trusted_approved',
      actor: { role: 'executive', id: 'exec-bob' },
    });
    // decided: nothing left to approve
    await expect(
      decideTrusted(
        { customerId: 'C300', decision: 'approve', reason: 'again', decidedBy: 'exec-bob' },
        { registry: t.registry, customers: t.customers, audit: t.audit },
      ),
    ).rejects.toThrow(TrustedDecisionRefused);
  });

  it('refusal keeps it standard; without a proposal, or after a reset, nothing can be decided', async () => {
    const t = await proposed();
    await expect(
      decideTrusted(
        { customerId: 'C300', decision: 'approve', reason: 'looks fine', decidedBy: 'exec-bob' },
        { registry: t.registry, customers: t.customers, audit: t.audit },
      ),
    ).rejects.toThrow(/no open proposal/);
    await t.review();
    await decideTrusted(
      {
        customerId: 'C300',
        decision: 'refuse',
        reason: 'wholesale traffic, not enough history',
        decidedBy: 'exec-bob',
      },
      { registry: t.registry, customers: t.customers, audit: t.audit },
    );
    expect(await t.registry.get('C300')).toMatchObject({ vetting: 'standard' });
    expect(openTrustedProposals(await t.audit.list(TRACK_RECORD_STREAM)).size).toBe(0);
  });

  it('approval is refused for a customer warned, suspended or terminated after it was proposed; the proposal stays open', async () => {
    for (const status of ['warned', 'suspended', 'terminated'] as const) {
      const t = await proposed();
      await t.review();
      const records = await t.audit.list(TRACK_RECORD_STREAM);
      t.customers.profiles.set('C300', {
        customerId: 'C300',
        name: null,
        vetting: 'standard',
        onboardedAt: null,
        trafficProfile: null,
        status,
        statusReason: 'case C300-F-1: calls to 212-555-0142 at volume',
        statusChangedAt: daysAgo(1),
      });
      const approve = () =>
        decideTrusted(
          { customerId: 'C300', decision: 'approve', reason: '400 clean days', decidedBy: 'exec-bob' },
          { registry: t.registry, customers: t.customers, audit: t.audit, now: () => NOW },
        );
      await expect(approve()).rejects.toThrow(TrustedDecisionRefused);
      await expect(approve()).rejects.toThrow(
        {
          terminated:
            /^customer C300 was terminated on .*: a termination is final, so it cannot be made trusted; the proposal stays open until you refuse it \(--decision refuse\)$/,
          suspended:
            /^customer C300 is suspended since .*: a suspended customer cannot be made trusted; the proposal stays open: refuse it \(--decision refuse\), or decide it once the customer is reinstated/,
          warned:
            /^customer C300 was warned on .*: a warned customer is on probation .* cannot be made trusted; the proposal stays open: refuse it \(--decision refuse\), or decide it once the customer is reinstated/,
        }[status],
      );
      // nothing written: the registry row as it was, the chain as it was, the proposal still open
      expect(await t.registry.get('C300')).toMatchObject({ vetting: 'standard', tier_since: daysAgo(400) });
      expect(await t.audit.list(TRACK_RECORD_STREAM)).toEqual(records);
      expect(openTrustedProposals(records).has('C300')).toBe(true);
      // the numbers in the status reason are masked, as everywhere the reason is shown
      await expect(approve()).rejects.not.toThrow(/212-555-0142/);

      // refusing it closes it and leaves the customer standard
      await decideTrusted(
        {
          customerId: 'C300',
          decision: 'refuse',
          reason: `${status} after the proposal`,
          decidedBy: 'exec-bob',
        },
        { registry: t.registry, customers: t.customers, audit: t.audit, now: () => NOW },
      );
      expect(await t.registry.get('C300')).toMatchObject({ vetting: 'standard' });
      expect(openTrustedProposals(await t.audit.list(TRACK_RECORD_STREAM)).size).toBe(0);
    }
  });
});

describe('re-verification runs the onboarding checks again', () => {
  async function due() {
    const registry = new InMemoryOnboardingRegistry();
    const stale = customer({ vetting: 'standard', verified_at: daysAgo(400), tier_since: daysAgo(400) });
    await registry.put(stale);
    const dossiers = new InMemoryDossierStore();
    const first = newDossier(cleanApplication({ application_id: 'APP-HD' }), 'sales', new Date(daysAgo(400)));
    await dossiers.save({ ...first, customerId: 'C100', status: 'activated' });
    const started: string[] = [];
    const starter = {
      start: async (id: string): Promise<'started' | 'already'> => {
        if (started.includes(id)) return 'already';
        started.push(id);
        return 'started';
      },
    };
    const audit = new InMemoryAuditStore();
    const notifier = new RecordingNotifier();
    const review = () =>
      runTrackRecordReview({
        registry,
        customers: new InMemoryCustomerRegistry(),
        activity: async () => clean(0),
        notifier,
        audit,
        reverify: (c) => startReverification(c, { dossiers, starter, audit, now: () => NOW }),
        now: () => NOW,
      });
    return { dossiers, started, notifier, review, stale };
  }

  it('submits the last application again as a renewal of the customer, once per verification cycle', async () => {
    const t = await due();
    await t.review();
    await t.review(); // the next day: the same cycle's renewal is already with the reviewers
    const id = `REVERIFY-${t.stale.verified_at.slice(0, 10)}-C100`;
    expect(t.started).toEqual([id]);
    const renewal = await t.dossiers.get(id);
    expect(renewal).toMatchObject({
      customerId: 'C100',
      status: 'submitted',
      application: {
        legal_name: 'Harbor Dental Group, P.C.',
        id_number: '91-1234567',
        renewing_customer_id: 'C100',
      },
    });
    expect(t.notifier.onCall).toHaveLength(1);
    expect(t.notifier.onCall[0].text).toContain(`renewal application ${id} submitted`);
  });

  it('a customer with no dossier on file is paged for a manual re-verification', async () => {
    const t = await due();
    t.dossiers.dossiers.clear();
    await t.review();
    expect(t.started).toEqual([]);
    expect(t.notifier.onCall[0].text).toContain('no dossier on file: re-verify by hand');
  });
});
