import { describe, expect, it } from 'vitest';
import { claimEpisode } from '../../shared/alerts/claim-episode.ts';
import {
  type AlertEpisode,
  DEFAULT_QUIET_PERIOD_MS,
  decideAlert,
  type EpisodeEvent,
} from '../../shared/alerts/episode.ts';
import {
  MemoryAlertPublisher,
  MemoryEpisodeStore,
  MemoryOpenCases,
} from '../../shared/alerts/memory-episodes.ts';
import { notifyOnCall } from '../../shared/alerts/notify-on-call.ts';
import type { StoredEpisode } from '../../shared/alerts/ports.ts';
import { caseIdOpenedBy } from '../../shared/cases/start-case.ts';
import type { Severity } from '../../shared/detect/finding.ts';

/**
 * One on-call alert per customer episode: the first time a customer reaches a severity, then only
 * on escalation or after the quiet period; duplicates and concurrent deliveries page once.
 */
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 16);
const POLICY = { quietPeriodMs: DEFAULT_QUIET_PERIOD_MS };

const event = (severity: Severity, key: string, atMs = T0): EpisodeEvent => ({
  customerId: 'C1',
  severity,
  key,
  atMs,
});
const episode = (
  severity: Severity,
  lastKey: string,
  state: AlertEpisode['state'] = 'sent',
): AlertEpisode => ({
  customerId: 'C1',
  severity,
  alertedAtMs: T0,
  lastKey,
  state,
});

describe('episode policy', () => {
  it('the first event of a customer alerts', () => {
    expect(decideAlert(null, event('medium', 'k1'))).toEqual({ alert: true, why: 'first' });
  });

  it('the same severity again within the quiet period is suppressed, so is a lower one', () => {
    expect(decideAlert(episode('medium', 'k1'), event('medium', 'k2', T0 + HOUR))).toEqual({
      alert: false,
      why: 'within_episode',
    });
    expect(decideAlert(episode('high', 'k1'), event('medium', 'k2', T0 + HOUR))).toMatchObject({
      alert: false,
    });
  });

  it('an escalation alerts at once', () => {
    expect(decideAlert(episode('medium', 'k1'), event('high', 'k2', T0 + 1))).toEqual({
      alert: true,
      why: 'escalation',
    });
    expect(decideAlert(episode('high', 'k1'), event('critical', 'k2', T0 + 1))).toMatchObject({
      alert: true,
    });
  });

  it('after the quiet period the same severity alerts again, exactly from its end', () => {
    const quiet = episode('high', 'k1');
    expect(decideAlert(quiet, event('high', 'k2', T0 + DEFAULT_QUIET_PERIOD_MS - 1), POLICY).alert).toBe(
      false,
    );
    expect(decideAlert(quiet, event('high', 'k2', T0 + DEFAULT_QUIET_PERIOD_MS), POLICY)).toEqual({
      alert: true,
      why: 'quiet_period_over',
    });
    expect(decideAlert(quiet, event('medium', 'k2', T0 + 25 * HOUR), POLICY).alert).toBe(true);
    expect(DEFAULT_QUIET_PERIOD_MS).toBe(24 * HOUR);
  });

  it('a duplicate of the event that alerted is suppressed; one whose alert never went out is sent', () => {
    expect(decideAlert(episode('high', 'k1', 'sent'), event('high', 'k1'))).toEqual({
      alert: false,
      why: 'duplicate',
    });
    expect(decideAlert(episode('high', 'k1', 'claimed'), event('high', 'k1'))).toEqual({
      alert: true,
      why: 'unsent_redelivery',
    });
  });
});

describe('claiming an episode under concurrent deliveries', () => {
  it('two events of the same severity handled at once: one claims, the other re-reads and is suppressed', async () => {
    const store = new MemoryEpisodeStore();
    const decisions = await Promise.all([
      claimEpisode(store, event('high', 'a'), POLICY),
      claimEpisode(store, event('high', 'b'), POLICY),
    ]);
    expect(decisions.filter((d) => d.alert)).toHaveLength(1);
    expect(decisions.filter((d) => !d.alert)).toEqual([{ alert: false, why: 'within_episode' }]);
  });

  it('a write that finds another version re-reads and decides again (the conditional write is what decides)', async () => {
    // Prepare: a store whose first read is stale, as when another delivery wrote in between
    const store = new MemoryEpisodeStore();
    await store.put(episode('medium', 'other', 'sent'), null);
    let stale = true;
    const racing = Object.assign(Object.create(store), {
      get: async (id: string): Promise<StoredEpisode | null> => {
        if (!stale) return store.get(id);
        stale = false;
        return null; // read before the other delivery's write
      },
    }) as MemoryEpisodeStore;
    // Act
    const decision = await claimEpisode(racing, event('medium', 'mine'), POLICY);
    // Assess: the blind first write failed its condition; the re-read saw the episode
    expect(decision).toEqual({ alert: false, why: 'within_episode' });
    expect((await store.get('C1'))?.episode.lastKey).toBe('other');
  });
});

const finding = (customer: string, severity: Severity, hour: number) =>
  JSON.stringify({
    type: 'finding',
    customer_id: customer,
    severity,
    score: 50,
    window_start: new Date(T0 + hour * HOUR).toISOString().replace('.000', ''),
    window_end: new Date(T0 + (hour + 1) * HOUR).toISOString().replace('.000', ''),
    reasons: [{ code: 'SHORT_CALL_RATIO', detail: '72% of 203 answered calls lasted under 6 s' }],
    metrics: { calls: 325, answered: 203 },
  });

const answered = (customer: string, tracebackId: string, extra: object = {}) =>
  JSON.stringify({
    type: 'traceback',
    traceback_id: tracebackId,
    customer_id: customer,
    trunk_id: 'T1',
    repeat_count: 1,
    severity: 'medium',
    status: 'found',
    ...extra,
  });
const corrected = (customer: string, tracebackId: string) =>
  answered(customer, tracebackId, { revised_from: 'not_found' });

function deps(now = T0) {
  const episodes = new MemoryEpisodeStore();
  const cases = new MemoryOpenCases();
  const publisher = new MemoryAlertPublisher();
  return { episodes, cases, publisher, policy: POLICY, now: () => now };
}

describe('notifyOnCall', () => {
  it('a day of medium hours pages once; the hours after are suppressed, and a duplicate too', async () => {
    const d = deps();
    const outcomes = [];
    for (let h = 0; h < 6; h++) outcomes.push(await notifyOnCall(finding('C901', 'medium', h), d));
    outcomes.push(await notifyOnCall(finding('C901', 'medium', 0), d)); // redelivery of the first
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', ...Array(6).fill('suppressed')]);
    expect(outcomes.at(-1)?.why).toBe('duplicate');
    expect(d.publisher.sent).toHaveLength(1);
    expect(d.publisher.sent[0].subject).toBe('[MEDIUM] Traceguard: C901 flagged (SHORT_CALL_RATIO)');
  });

  it('a finding that opens a case leaves the page to the case; an escalation names the open case', async () => {
    const d = deps();
    // Prepare: medium first (paged), then high: the case starter opens the case this event derives
    await notifyOnCall(finding('C905', 'medium', 0), d);
    const high = finding('C905', 'high', 1);
    const highOutcome = await notifyOnCall(high, d);
    const opened = caseIdOpenedBy(JSON.parse(high));
    d.cases.open.set('C905', { caseId: opened, openedAtMs: T0 });
    const repeat = await notifyOnCall(finding('C905', 'high', 2), d);
    const critical = await notifyOnCall(finding('C905', 'critical', 3), d);
    // Assess
    expect(highOutcome).toMatchObject({ outcome: 'left_to_case', why: 'escalation', caseId: opened });
    expect(repeat).toMatchObject({ outcome: 'suppressed', caseId: opened });
    expect(critical).toMatchObject({ outcome: 'sent', why: 'escalation', caseId: opened });
    expect(d.publisher.sent.map((a) => a.severity)).toEqual(['medium', 'critical']);
    expect(d.publisher.sent[1].subject).toBe(
      `[CRITICAL] Traceguard: C905 flagged (case ${opened}) (SHORT_CALL_RATIO)`,
    );
    expect(d.publisher.sent[1].text).toContain(`Case: ${opened} is open for review`);
    expect(d.publisher.sent[1].caseId).toBe(opened);
  });

  it('the event that opened the case does not page twice even when the case opened first', async () => {
    const d = deps();
    const high = finding('C915', 'high', 0);
    d.cases.open.set('C915', { caseId: caseIdOpenedBy(JSON.parse(high)), openedAtMs: T0 });
    expect(await notifyOnCall(high, d)).toMatchObject({ outcome: 'left_to_case' });
    expect(d.publisher.sent).toEqual([]);
  });

  it("a customer's first high event after another one opened the case is covered by the case's page", async () => {
    // Prepare: hour 16 opened the case (the case starter ran first); hour 17 reaches the notifier first
    const d = deps();
    const opening = finding('C913', 'high', 0);
    d.cases.open.set('C913', { caseId: caseIdOpenedBy(JSON.parse(opening)), openedAtMs: T0 });
    // Act
    const later = await notifyOnCall(finding('C913', 'high', 1), d);
    const first = await notifyOnCall(opening, d);
    // Assess
    expect(later).toMatchObject({ outcome: 'left_to_case', why: 'first' });
    expect(first).toMatchObject({ outcome: 'suppressed' });
    expect(d.publisher.sent).toEqual([]);
  });

  it('a case opened before the quiet period does not cover a first alert: it pages, naming the case', async () => {
    const d = deps(T0 + 25 * HOUR);
    d.cases.open.set('C913', { caseId: 'C913-F-0123456789abcdef', openedAtMs: T0 });
    expect(await notifyOnCall(finding('C913', 'high', 25), d)).toMatchObject({
      outcome: 'sent',
      why: 'first',
    });
    expect(d.publisher.sent[0].caseId).toBe('C913-F-0123456789abcdef');
  });

  it('pages again after the quiet period, naming the case still open', async () => {
    const d = deps();
    d.cases.open.set('C902', { caseId: 'C902-F-0123456789abcdef', openedAtMs: T0 });
    await notifyOnCall(finding('C902', 'medium', 0), d);
    d.now = () => T0 + 25 * HOUR;
    expect(await notifyOnCall(finding('C902', 'medium', 25), d)).toMatchObject({
      outcome: 'sent',
      why: 'quiet_period_over',
    });
    expect(d.publisher.sent).toHaveLength(2);
    expect(d.publisher.sent[1].text).toContain('Case: C902-F-0123456789abcdef is open for review');
  });

  it('an alert that failed to go out is sent on redelivery, once', async () => {
    const d = deps();
    const body = finding('C903', 'medium', 0);
    const failing = { publish: async () => Promise.reject(new Error('SNS unavailable')) };
    await expect(notifyOnCall(body, { ...d, publisher: failing })).rejects.toThrow('SNS unavailable');
    expect(await notifyOnCall(body, d)).toMatchObject({ outcome: 'sent', why: 'unsent_redelivery' });
    expect(await notifyOnCall(body, d)).toMatchObject({ outcome: 'suppressed', why: 'duplicate' });
    expect(d.publisher.sent).toHaveLength(1);
  });

  it('a corrected traceback answer pages within a critical episode, once, and keeps the episode as it was', async () => {
    // Prepare: a critical finding paged and opened a case; the answer to a traceback is then corrected
    const d = deps();
    const critical = finding('C920', 'critical', 0);
    await notifyOnCall(critical, d);
    d.cases.open.set('C920', { caseId: caseIdOpenedBy(JSON.parse(critical)), openedAtMs: T0 });
    const before = (await d.episodes.get('C920'))?.episode;
    // Act: the corrected answer, then its redelivery
    const outcome = await notifyOnCall(corrected('C920', 'ITG-1'), d);
    const again = await notifyOnCall(corrected('C920', 'ITG-1'), d);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'sent', why: 'must_page' });
    expect(again).toMatchObject({ outcome: 'suppressed', why: 'duplicate' });
    expect(d.publisher.sent.filter((a) => a.subject.includes('ITG-1'))).toHaveLength(1);
    expect(d.publisher.sent.at(-1)?.text).toContain('send the requester this corrected answer');
    const after = (await d.episodes.get('C920'))?.episode;
    expect(after).toMatchObject({ severity: 'critical', alertedAtMs: before?.alertedAtMs });
    // the episode still suppresses what it suppressed before
    expect(await notifyOnCall(finding('C920', 'high', 2), d)).toMatchObject({ outcome: 'suppressed' });
  });

  it("a corrected traceback answer that opens a customer's case pages itself: the case's page does not name it", async () => {
    const d = deps();
    expect(await notifyOnCall(corrected('C921', 'ITG-2'), d)).toMatchObject({
      outcome: 'sent',
      why: 'first',
    });
    expect(await notifyOnCall(corrected('C921', 'ITG-2'), d)).toMatchObject({ outcome: 'suppressed' });
    expect(d.publisher.sent).toHaveLength(1);
    expect(d.publisher.sent[0].subject).toContain('traceback ITG-2 answered (corrected)');
    // an answer that corrects nothing still leaves the page to the case
    expect(await notifyOnCall(answered('C922', 'ITG-3'), d)).toMatchObject({ outcome: 'left_to_case' });
  });

  it('other events are paged as before, without an episode', async () => {
    const d = deps();
    await notifyOnCall(JSON.stringify({ type: 'enforcement', customer_id: 'C9', severity: 'high' }), d);
    await notifyOnCall(JSON.stringify({ type: 'enforcement', customer_id: 'C9', severity: 'high' }), d);
    expect(d.publisher.sent).toHaveLength(2);
    expect(d.episodes.items.size).toBe(0);
  });
});
