import { describe, expect, it } from 'vitest';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import { DynamoCustomerRegistry } from '../../shared/aws/cases-customers.ts';
import {
  DynamoDoNotOnboardList,
  DynamoDossierStore,
  DynamoOnboardingRegistry,
  stoppedCustomerStores,
} from '../../shared/aws/onboarding-store.ts';
import { putCustomers } from '../../shared/aws/reference-import.ts';
import { readDeclarations } from '../../shared/aws/reference-store.ts';
import { severityRank } from '../../shared/detect/finding.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import { InMemoryDoNotOnboardList, InMemoryDossierStore } from '../../shared/kyc/in-memory.ts';
import { listSuspendedCustomers } from '../../shared/kyc/suspended-backfill.ts';
import { SuspendedEntryOnStatusChange } from '../../shared/kyc/suspended-entry.ts';
import { activityFrom } from '../../shared/kyc/track-record-activity.ts';
import { addTerminatedToDoNotOnboard, runTrackRecordReview } from '../../shared/kyc/track-record-review.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';
import { cleanApplication } from './kyc-fixtures.ts';

/**
 * The scheduled review's reads: the roster of customers onboarding registered (a Query, since no
 * function may scan a table) and the activity a customer's stored hours and tracebacks add up to.
 */
const DAY = 86_400_000;
const NOW = new Date('2026-12-05T06:00:00Z');

const db = useDynamoDbLocal('traceguard-track-record-', [
  'Customers',
  'DeclaredCustomers',
  'Dossiers',
  'BackfillCustomers',
  'BackfillDossiers',
]);

const registered = (id: string, daysAgo: number) => ({
  customer_id: id,
  name: `${id} LLC`,
  onboarded_at: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
  vetting: 'new' as const,
  traffic_profile: 'conversational' as const,
  tier_since: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
  verified_at: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
});

describe('declarations on DynamoDB', () => {
  it('what onboarding activates with is what ingest loads, and a renewal without declarations withdraws them', async () => {
    const registry = new DynamoOnboardingRegistry(db.doc, 'DeclaredCustomers');
    await registry.put({
      ...registered('K-DECL', 1),
      declared_ip_ranges: ['203.0.113.0/28'],
      declared_numbers: ['+12064301100'],
    });
    await registry.put(registered('K-PLAIN', 1));
    const loaded = await readDeclarations(db.doc, 'DeclaredCustomers');
    expect([...loaded.keys()]).toEqual(['K-DECL']);
    expect(loaded.get('K-DECL')?.containsAddress('203.0.113.9:5060')).toBe(true);
    expect(loaded.get('K-DECL')?.containsAddress('198.51.100.9')).toBe(false);
    expect(await registry.get('K-DECL')).toMatchObject({ declared_numbers: ['+12064301100'] });

    await registry.put(registered('K-DECL', 1));
    expect((await readDeclarations(db.doc, 'DeclaredCustomers')).size).toBe(0);
  });
});

describe('a customer seen only in CDRs', () => {
  it('has no registry row when the case workflow wrote only its status, and terminating it bars it by id', async () => {
    const registry = new DynamoOnboardingRegistry(db.doc, 'Customers');
    // a customer no import or onboarding registered, suspended and then terminated by its case
    await new DynamoCustomerRegistry(db.doc, 'Customers').setStatus(
      'P666',
      'terminated',
      'robocalls at volume',
    );
    expect(await registry.get('P666')).toBeNull();
    const doNotOnboard = new InMemoryDoNotOnboardList();
    await addTerminatedToDoNotOnboard('P666', 'terminated by case P666-F-1', {
      dossiers: new InMemoryDossierStore(),
      registry,
      doNotOnboard,
      audit: new InMemoryAuditStore(),
      now: () => NOW,
    });
    expect([...doNotOnboard.entries.values()].map((e) => e.names)).toEqual([['P666']]);
  });

  it('keeps when a status was set while later cases set the same status again, with the latest reason', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    await customers.setStatus('P777', 'suspended', 'case P777-F-1: DNO calls at volume');
    const first = await customers.get('P777');
    expect(first).toMatchObject({ status: 'suspended', statusReason: 'case P777-F-1: DNO calls at volume' });
    await new Promise((r) => setTimeout(r, 5));
    await customers.setStatus('P777', 'suspended', 'case P777-F-2: critical again');
    expect(await customers.get('P777')).toEqual({ ...first, statusReason: 'case P777-F-2: critical again' });
    await customers.setStatus('P777', 'terminated', 'case P777-F-1: terminated');
    const terminated = await customers.get('P777');
    expect(terminated).toMatchObject({ status: 'terminated', statusReason: 'case P777-F-1: terminated' });
    expect(Date.parse(terminated?.statusChangedAt ?? '')).toBeGreaterThan(
      Date.parse(first?.statusChangedAt ?? ''),
    );
  });

  it('carries the provider mark from onboarding to detection', async () => {
    const registry = new DynamoOnboardingRegistry(db.doc, 'DeclaredCustomers');
    await registry.put({ ...registered('K-GW', 1), provider: true });
    expect(await registry.get('K-GW')).toMatchObject({ provider: true });
  });
});

describe('the do-not-onboard list on DynamoDB follows a suspension', () => {
  it('lists a suspended customer once, unlists it on reinstatement, and keeps one entry after a termination', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    const stores = stoppedCustomerStores(db.doc, { dossiers: 'Dossiers', customers: 'Customers' });
    await new DynamoDossierStore(db.doc, 'Dossiers').create({
      ...newDossier(
        cleanApplication({ application_id: 'APP-S1', renewing_customer_id: 'S100' }),
        'sales',
        NOW,
      ),
      status: 'activated',
    });
    const enforcing = new SuspendedEntryOnStatusChange(customers, {
      ...stores,
      audit: new InMemoryAuditStore(),
    });
    const list = new DynamoDoNotOnboardList(db.doc, 'Dossiers');

    await enforcing.setStatus('S100', 'suspended', 'case S100-F-1: DNO calls at volume');
    const since = (await customers.get('S100'))?.statusChangedAt;
    const listed = await list.list();
    expect(listed).toMatchObject([
      {
        entry_id: 'suspended#S100',
        source: 'suspended',
        added_at: since,
        reason: 'case S100-F-1: DNO calls at volume',
        names: ['Harbor Dental Group, P.C.'],
        id_number: '91-1234567',
      },
    ]);
    // the same entry since the same date, with the latest decision's reason
    await enforcing.setStatus('S100', 'suspended', 'case S100-F-2: critical again');
    expect(await list.list()).toEqual([{ ...listed[0], reason: 'case S100-F-2: critical again' }]);

    await enforcing.setStatus('S100', 'active', 'reinstated by carol: remediated');
    expect(await list.list()).toEqual([]);
    // removing what is not there is no error
    await list.remove('suspended#S100');

    await enforcing.setStatus('S100', 'suspended', 'case S100-F-3: DNO calls again');
    await enforcing.setStatus('S100', 'terminated', 'case S100-F-3: terminated');
    await addTerminatedToDoNotOnboard('S100', 'case S100-F-3: terminated', {
      ...stores,
      audit: new InMemoryAuditStore(),
      now: () => NOW,
    });
    expect((await list.list()).map((e) => e.entry_id)).toEqual(['terminated#S100']);
  });
});

describe('the backfill of suspended customers on DynamoDB', () => {
  it('finds every suspended customer, imported, onboarded or seen only in CDRs, and lists the unlisted once', async () => {
    const customers = new DynamoCustomerRegistry(db.doc, 'BackfillCustomers');
    const stores = stoppedCustomerStores(db.doc, {
      dossiers: 'BackfillDossiers',
      customers: 'BackfillCustomers',
    });
    const audit = new InMemoryAuditStore();
    // imported from the registry CSV (no roster item), registered by onboarding, and never registered
    await putCustomers(db.doc, 'BackfillCustomers', [
      {
        customer_id: 'B-IMPORTED',
        name: 'Inland Callers',
        onboarded_at: '2024-01-01',
        vetting: 'standard',
        traffic_profile: 'dialer',
      },
      {
        customer_id: 'B-ACTIVE',
        name: 'Quiet Co',
        onboarded_at: '2024-01-01',
        vetting: 'standard',
        traffic_profile: 'dialer',
      },
    ]);
    await new DynamoOnboardingRegistry(db.doc, 'BackfillCustomers').put(registered('B-ROSTER', 30));
    for (const id of ['B-IMPORTED', 'B-ROSTER', 'B-CDR-ONLY'])
      await customers.setStatus(id, 'suspended', `case ${id}-F-1: DNO calls at volume`);
    // suspended since the list followed suspensions: already listed
    await new SuspendedEntryOnStatusChange(customers, { ...stores, audit }).setStatus(
      'B-LISTED',
      'suspended',
      'case B-LISTED-F-1: spoofing',
    );
    expect(await customers.withStatus('suspended')).toEqual([
      'B-CDR-ONLY',
      'B-IMPORTED',
      'B-LISTED',
      'B-ROSTER',
    ]);

    const deps = { ...stores, customers, audit };
    expect(await listSuspendedCustomers(deps)).toEqual({
      added: ['B-CDR-ONLY', 'B-IMPORTED', 'B-ROSTER'],
      alreadyListed: 1,
    });
    const list = new DynamoDoNotOnboardList(db.doc, 'BackfillDossiers');
    const listed = await list.list();
    expect(listed.map((e) => [e.entry_id, e.names])).toEqual([
      ['suspended#B-CDR-ONLY', ['B-CDR-ONLY']],
      ['suspended#B-IMPORTED', ['Inland Callers']],
      ['suspended#B-LISTED', ['B-LISTED']],
      ['suspended#B-ROSTER', ['B-ROSTER LLC']],
    ]);
    expect(await listSuspendedCustomers(deps)).toEqual({ added: [], alreadyListed: 4 });
    expect(await list.list()).toEqual(listed);
  });
});

describe('the track-record review on DynamoDB', () => {
  it('lists the roster onboarding wrote, not customers imported by hand, and promotes the clean one', async () => {
    const registry = new DynamoOnboardingRegistry(db.doc, 'Customers');
    await registry.put(registered('K-CLEAN', 120));
    await registry.put(registered('K-RECENT', 10));
    // a customer from a registry import has no track-record dates and is not on the roster
    await putCustomers(db.doc, 'Customers', [
      {
        customer_id: 'IMPORTED',
        name: 'Imported',
        onboarded_at: '2024-01-01',
        vetting: 'standard',
        traffic_profile: 'dialer',
      },
    ]);
    expect((await registry.list()).map((c) => c.customer_id).sort()).toEqual(['K-CLEAN', 'K-RECENT']);

    const { actions: done } = await runTrackRecordReview({
      registry,
      customers: new DynamoCustomerRegistry(db.doc, 'Customers'),
      activity: async () => ({ callsSinceTierStart: 50_000, lastHighFindingAt: null, lastTracebackAt: null }),
      notifier: { notifyOnCall: async () => {}, publishEnforcement: async () => {} },
      audit: new InMemoryAuditStore(),
      now: () => NOW,
    });
    expect(done.map((d) => [d.customerId, d.action.kind])).toEqual([['K-CLEAN', 'promote']]);
    expect(await registry.get('K-CLEAN')).toMatchObject({
      vetting: 'standard',
      tier_since: NOW.toISOString(),
    });
    expect(await registry.get('K-RECENT')).toMatchObject({ vetting: 'new' });
  });

  it('skips a customer the case workflow terminated or suspended: its row is not rewritten', async () => {
    const registry = new DynamoOnboardingRegistry(db.doc, 'Customers');
    const customers = new DynamoCustomerRegistry(db.doc, 'Customers');
    await registry.put(registered('K-TERM', 120));
    await registry.put(registered('K-SUSP', 120));
    await customers.setStatus('K-TERM', 'terminated', 'case K-TERM-F-1: terminated');
    await customers.setStatus('K-SUSP', 'suspended', 'case K-SUSP-F-1: DNO calls at volume');
    const before = [await registry.get('K-TERM'), await registry.get('K-SUSP')];

    const { actions, skipped } = await runTrackRecordReview({
      registry,
      customers,
      activity: async () => ({ callsSinceTierStart: 50_000, lastHighFindingAt: null, lastTracebackAt: null }),
      notifier: { notifyOnCall: async () => {}, publishEnforcement: async () => {} },
      audit: new InMemoryAuditStore(),
      now: () => NOW,
    });
    expect(actions.filter((a) => ['K-TERM', 'K-SUSP'].includes(a.customerId))).toEqual([]);
    expect(skipped.map((s) => [s.customerId, s.status])).toEqual([
      ['K-SUSP', 'suspended'],
      ['K-TERM', 'terminated'],
    ]);
    expect([await registry.get('K-TERM'), await registry.get('K-SUSP')]).toEqual(before);
  });
});

describe('activityFrom', () => {
  const since = Date.parse('2026-09-01T00:00:00Z');
  const hour = (iso: string, attempts: number, sev = 0) => ({ hourMs: Date.parse(iso), attempts, sev });

  it('counts calls since the clock started and finds the latest high or critical hour', () => {
    const activity = activityFrom(
      [
        hour('2026-08-31T23:00:00Z', 1000, severityRank('critical')), // before the clock: ignored
        hour('2026-09-02T10:00:00Z', 300, severityRank('high')),
        hour('2026-10-01T10:00:00Z', 200, severityRank('medium')), // medium does not reset the clock
        hour('2026-10-02T10:00:00Z', 500),
      ],
      [{ answeredAt: '2026-09-20T12:00:00Z' }, { answeredAt: '2026-09-10T12:00:00Z' }],
      since,
    );
    expect(activity).toEqual({
      callsSinceTierStart: 1000,
      lastHighFindingAt: '2026-09-02T10:00:00.000Z',
      lastTracebackAt: '2026-09-20T12:00:00Z',
    });
  });

  it('a quiet record has no incidents', () => {
    expect(activityFrom([], [], since)).toEqual({
      callsSinceTierStart: 0,
      lastHighFindingAt: null,
      lastTracebackAt: null,
    });
  });
});
