import { describe, expect, it } from 'vitest';
import { deadlineAlertText } from '../../shared/aws/traceback-events.ts';
import { containsPhoneNumber } from '../../shared/privacy/mask-numbers.ts';
import type { BatchRef } from '../../shared/traceback/batches.ts';
import { tracebackConsequence } from '../../shared/traceback/consequence.ts';
import { decideDeadlineAlerts, describeRemaining } from '../../shared/traceback/deadline-watch.ts';
import {
  InMemoryManifest,
  InMemoryTracebackStore,
  RecordingEventPublisher,
  RecordingTracebackQueue,
} from '../../shared/traceback/in-memory.ts';
import { handleTracebackRequest, newRecord } from '../../shared/traceback/intake.ts';
import type { DeadlineNotifier } from '../../shared/traceback/ports.ts';
import { TracebackConflictError, validateTracebackRequest } from '../../shared/traceback/request.ts';
import { requeueLateSearches } from '../../shared/traceback/research.ts';
import { watchDeadlines } from '../../shared/traceback/watch.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HEADER = 'call_id,start_time,customer_id,trunk_id,calling_number,called_number';

function request(
  id: string,
  callTime: string,
  calling = '+12025550143',
  receivedAt = '2026-11-28T14:05:00Z',
) {
  return validateTracebackRequest(
    {
      traceback_id: id,
      received_at: receivedAt,
      call_time: callTime,
      calling_number: calling,
      called_number: '+13125550199',
    },
    id,
  );
}

/** A one-batch-per-call archive; the opener serves the CSV text. */
function world() {
  const manifest = new InMemoryManifest();
  const bodies = new Map<string, string>();
  let reads = 0;
  const plant = (name: string, callTime: string, customer: string, trunk: string) => {
    const ms = Date.parse(callTime);
    bodies.set(name, `${HEADER}\n${name},${callTime},${customer},${trunk},2025550143,3125550199\n`);
    manifest.add({ batchId: `${name}#1`, name, switchId: 'sbc-east-1', firstMs: ms, lastMs: ms });
  };
  const opener = {
    async open(ref: BatchRef) {
      reads++;
      const text = bodies.get(ref.name) ?? '';
      return (async function* () {
        yield text;
      })();
    },
  };
  const store = new InMemoryTracebackStore();
  const events = new RecordingEventPublisher();
  let now = Date.parse('2026-11-28T15:00:00Z');
  const deps = { store, manifest, opener, events, now: () => now };
  return {
    plant,
    deps,
    store,
    events,
    reads: () => reads,
    now: () => now,
    setNow: (ms: number) => (now = ms),
  };
}

describe('traceback intake', () => {
  it('answers once when the same request arrives twice: one answer, one history entry, one event', async () => {
    const w = world();
    w.plant('cdr/sbc-east-1/16.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    const req = request('ITG-1', '2026-11-27T16:31:07Z');

    const first = await handleTracebackRequest(req, w.deps);
    const second = await handleTracebackRequest(req, w.deps);

    expect(first).toMatchObject({ outcome: 'answered', published: true });
    expect(second.outcome).toBe('duplicate');
    expect(second.answer).toEqual(first.answer);
    expect(w.reads()).toBe(1);
    expect(w.events.events).toEqual([
      expect.objectContaining({
        type: 'traceback',
        traceback_id: 'ITG-1',
        customer_id: 'C042',
        trunk_id: 'T7',
        repeat_count: 1,
        severity: 'medium',
      }),
    ]);
    expect(await w.store.history('C042')).toEqual([
      { answeredAt: '2026-11-28T15:00:00Z', tracebackId: 'ITG-1', call: 'sbc-east-1/cdr/sbc-east-1/16.csv' },
    ]);
    expect(await w.store.get('ITG-1')).toMatchObject({
      status: 'answered',
      customerId: 'C042',
      deadline: '2026-11-29T14:05:00Z',
    });
  });

  it('a resubmission under the same id is answered as before; another call under that id is refused, saying which fields differ', async () => {
    const w = world();
    w.plant('cdr/sbc-east-1/16.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    const first = await handleTracebackRequest(request('ITG-9', '2026-11-27T16:31:07Z'), w.deps);
    // the same call, numbers in another shape and received again later: the same request
    const again = request('ITG-9', '2026-11-27T11:31:07-05:00', '(202) 555-0143', '2026-11-28T18:00:00Z');
    expect(await handleTracebackRequest(again, w.deps)).toEqual({
      outcome: 'duplicate',
      answer: first.answer,
    });
    const other = request('ITG-9', '2026-11-27T17:02:00Z', '+12025550188');
    const refused = handleTracebackRequest(other, w.deps);
    await expect(refused).rejects.toThrow(TracebackConflictError);
    await expect(refused).rejects.toThrow(
      /^traceback ITG-9 was received at 2026-11-28T14:05:00Z for another call \(call_time, calling_number differ\)/,
    );
    await expect(refused).rejects.not.toThrow(/2025550188/);
    // the answer on the record and the events are those of the first call
    expect((await w.store.get('ITG-9'))?.answer).toEqual(first.answer);
    expect(w.events.events.length).toBe(1);
    expect(w.reads()).toBe(1);
  });

  it('finishes a delivery that stopped after the answer was stored (no second search, one event)', async () => {
    const w = world();
    w.plant('cdr/sbc-east-1/16.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    const req = request('ITG-2', '2026-11-27T16:31:07Z');
    let failOnce = true;
    const flaky = {
      async publish(e: Parameters<typeof w.events.publish>[0]) {
        if (failOnce) {
          failOnce = false;
          throw new Error('SNS unavailable');
        }
        await w.events.publish(e);
      },
    };
    await expect(handleTracebackRequest(req, { ...w.deps, events: flaky })).rejects.toThrow(
      'SNS unavailable',
    );
    const retried = await handleTracebackRequest(req, { ...w.deps, events: flaky });
    expect(retried).toMatchObject({ outcome: 'answered', published: true });
    expect(w.reads()).toBe(1);
    expect(w.events.events).toHaveLength(1);
    expect(await w.store.history('C042')).toHaveLength(1);
  });

  it('two deliveries of a new request searching at the same moment save one answer and count the customer once', async () => {
    const w = world();
    w.plant('cdr/sbc-east-1/16.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    const req = request('ITG-P', '2026-11-27T16:31:07Z');
    // both deliveries find the request open and search; neither saves before the other has searched
    let opened = 0;
    let bothOpened: () => void = () => {};
    const together = new Promise<void>((resolve) => (bothOpened = resolve));
    const opener = {
      async open(ref: BatchRef) {
        if (++opened === 2) bothOpened();
        await together;
        return w.deps.opener.open(ref);
      },
    };
    // each delivery answers at its own clock: a second apart
    const at = (iso: string) => ({ ...w.deps, opener, now: () => Date.parse(iso) });
    const [a, b] = await Promise.all([
      handleTracebackRequest(req, at('2026-11-28T15:00:00Z')),
      handleTracebackRequest(req, at('2026-11-28T15:00:01Z')),
    ]);

    expect(w.reads()).toBe(2);
    expect(b.answer).toEqual(a.answer);
    const record = await w.store.get('ITG-P');
    expect(await w.store.history('C042')).toEqual([
      { answeredAt: record?.answeredAt, tracebackId: 'ITG-P', call: 'sbc-east-1/cdr/sbc-east-1/16.csv' },
    ]);
    // the events that went out are one and the same (the on-call and audit handlers take it once)
    expect(new Set(w.events.events.map((e) => JSON.stringify(e))).size).toBe(1);
    expect(w.events.events[0]).toMatchObject({ answered_at: record?.answeredAt, repeat_count: 1 });
  });

  it('adding a traceback to the history again, at another time, keeps one entry', async () => {
    const store = new InMemoryTracebackStore();
    await store.addHistory('C042', { answeredAt: '2026-11-28T15:00:00Z', tracebackId: 'ITG-H' });
    await store.addHistory('C042', { answeredAt: '2026-11-28T15:00:01Z', tracebackId: 'ITG-H' });
    expect(await store.history('C042')).toHaveLength(1);
  });

  it('raises a repeat traceback (2 within 30 days) to high severity for escalation', async () => {
    const w = world();
    w.plant('a.csv', '2026-11-01T10:00:00Z', 'C042', 'T7');
    w.plant('b.csv', '2026-11-27T16:31:05Z', 'C042', 'T8');
    w.setNow(Date.parse('2026-11-02T09:00:00Z'));
    await handleTracebackRequest(
      request('ITG-A', '2026-11-01T10:00:30Z', '+12025550143', '2026-11-02T08:00:00Z'),
      w.deps,
    );
    w.setNow(Date.parse('2026-11-28T15:00:00Z'));
    await handleTracebackRequest(request('ITG-B', '2026-11-27T16:31:07Z'), w.deps);
    expect(w.events.events.map((e) => [e.traceback_id, e.repeat_count, e.severity])).toEqual([
      ['ITG-A', 1, 'medium'],
      ['ITG-B', 2, 'high'],
    ]);
  });

  it('two requests about one call count it once: the second answer names the first, raises nothing, and both stay on record', async () => {
    const w = world();
    w.plant('cdr/sbc-east-1/16.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    await handleTracebackRequest(request('TG-TEST-1', '2026-11-27T16:31:07Z'), w.deps);
    // the same call, its numbers written another way and received_at in epoch seconds
    const again = validateTracebackRequest(
      {
        traceback_id: 'TG-TEST-2',
        received_at: Date.parse('2026-11-28T14:35:00Z') / 1000,
        call_time: '2026-11-27T16:31:07Z',
        calling_number: '(202) 555-0143',
        called_number: '312.555.0199',
      },
      'TG-TEST-2',
    );
    w.setNow(Date.parse('2026-11-28T15:30:00Z'));
    const second = await handleTracebackRequest(again, w.deps);
    expect(second).toMatchObject({
      outcome: 'answered',
      published: false,
      answer: { status: 'found', same_call_as: 'TG-TEST-1' },
    });
    expect(second.answer.note).toMatch(
      /; this call was already traced back under TG-TEST-1 \(answered 2026-11-28T15:00:00Z\): the customer's traceback history counts it once$/,
    );
    expect(w.events.events.map((e) => [e.traceback_id, e.repeat_count, e.severity])).toEqual([
      ['TG-TEST-1', 1, 'medium'],
    ]);
    expect(await w.store.get('TG-TEST-2')).toMatchObject({ repeatCount: 1, severity: 'medium' });
    expect((await w.store.history('C042')).map((h) => [h.tracebackId, h.call])).toEqual([
      ['TG-TEST-1', 'sbc-east-1/cdr/sbc-east-1/16.csv'],
      ['TG-TEST-2', 'sbc-east-1/cdr/sbc-east-1/16.csv'],
    ]);
    // delivered again: the answer on record, said once
    const redelivered = await handleTracebackRequest(again, w.deps);
    expect(redelivered).toEqual({ outcome: 'duplicate', answer: second.answer });
    expect(w.events.events).toHaveLength(1);
    // another call of the customer is a second traceback
    w.plant('cdr/sbc-east-1/17.csv', '2026-11-27T17:10:00Z', 'C042', 'T7');
    await handleTracebackRequest(request('TG-TEST-3', '2026-11-27T17:10:02Z'), w.deps);
    expect(w.events.events.map((e) => [e.traceback_id, e.repeat_count, e.severity]).at(-1)).toEqual([
      'TG-TEST-3',
      2,
      'high',
    ]);
  });

  it('stores a not_found answer and publishes nothing', async () => {
    const w = world();
    const result = await handleTracebackRequest(request('ITG-3', '2026-11-27T16:31:07Z'), w.deps);
    expect(result).toMatchObject({ outcome: 'answered', published: false, answer: { status: 'not_found' } });
    expect(w.events.events).toEqual([]);
    expect((await w.store.get('ITG-3'))?.status).toBe('answered');
  });

  it('counts only tracebacks inside the repeat window', () => {
    const t = Date.parse('2026-11-28T00:00:00Z');
    expect(tracebackConsequence([t - 31 * DAY, t], t)).toMatchObject({
      repeatCount: 1,
      severity: 'medium',
      severityRank: 2,
    });
    expect(tracebackConsequence([t - 29 * DAY, t], t)).toMatchObject({
      repeatCount: 2,
      severity: 'high',
      severityRank: 3,
    });
    expect(tracebackConsequence([t - 10 * DAY, t], t, { repeatCount: 3, windowDays: 30 }).severity).toBe(
      'medium',
    );
  });
});

describe('a not_found answer searched again when late batches arrive', () => {
  /** what the scheduled check sends back to the queue now, and intake answering each message */
  async function runCheck(w: ReturnType<typeof world>, queue: RecordingTracebackQueue) {
    const before = queue.sent.length;
    const ids = await requeueLateSearches({ ...w.deps, queue }, w.now());
    for (const doc of queue.sent.slice(before))
      await handleTracebackRequest(validateTracebackRequest(doc, 'queue'), w.deps);
    return ids;
  }

  it('turns not_found into found once the late batch is ingested: history, one event saying so; later runs and retries change nothing', async () => {
    const w = world();
    const queue = new RecordingTracebackQueue();
    const req = request('ITG-L', '2026-11-27T16:31:07Z');
    const first = await handleTracebackRequest(req, w.deps);
    expect(first.answer).toMatchObject({ status: 'not_found', searched: { batches: 0 } });
    // nothing new: not sent again, and a resubmission is answered from the record without a search
    expect(await runCheck(w, queue)).toEqual([]);
    expect(await handleTracebackRequest(req, w.deps)).toMatchObject({ outcome: 'duplicate' });

    w.plant('cdr/sbc-east-1/16-late.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    w.setNow(Date.parse('2026-11-28T20:00:00Z'));
    expect(await runCheck(w, queue)).toEqual(['ITG-L']);

    const record = await w.store.get('ITG-L');
    expect(record).toMatchObject({
      status: 'answered',
      answeredAt: '2026-11-28T20:00:00Z',
      customerId: 'C042',
      trunkId: 'T7',
      answer: { status: 'found', searched: { batches: 1 } },
      firstAnswer: { answeredAt: '2026-11-28T15:00:00Z', answer: { status: 'not_found' } },
    });
    expect(w.events.events).toEqual([
      expect.objectContaining({
        traceback_id: 'ITG-L',
        customer_id: 'C042',
        status: 'found',
        revised_from: 'not_found',
        answered_at: '2026-11-28T20:00:00Z',
      }),
    ]);
    expect(await w.store.history('C042')).toEqual([
      {
        answeredAt: '2026-11-28T20:00:00Z',
        tracebackId: 'ITG-L',
        call: 'sbc-east-1/cdr/sbc-east-1/16-late.csv',
      },
    ]);

    // the same message again, the next run, a resubmission: nothing more
    expect(await runCheck(w, queue)).toEqual([]);
    await handleTracebackRequest(validateTracebackRequest(queue.sent[0], 'queue'), w.deps);
    await handleTracebackRequest(req, w.deps);
    expect(w.events.events).toHaveLength(1);
    expect(await w.store.history('C042')).toHaveLength(1);
    expect(w.reads()).toBe(1);
  });

  it('finishes a search again that stopped before its event went out, counting the customer once', async () => {
    const w = world();
    const req = request('ITG-R', '2026-11-27T16:31:07Z');
    await handleTracebackRequest(req, w.deps);
    w.plant('cdr/sbc-east-1/16-late.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    const down = { ...w.deps, events: { publish: () => Promise.reject(new Error('SNS unavailable')) } };
    await expect(handleTracebackRequest(req, down)).rejects.toThrow('SNS unavailable');
    w.setNow(Date.parse('2026-11-28T16:00:00Z'));
    expect(await handleTracebackRequest(req, w.deps)).toMatchObject({ outcome: 'answered', published: true });
    expect(w.events.events).toEqual([
      expect.objectContaining({ revised_from: 'not_found', repeat_count: 1 }),
    ]);
    expect(await w.store.history('C042')).toHaveLength(1);
    expect(w.reads()).toBe(1);
  });

  it('two searches at once: one answer replaces the not_found, the customer is counted once', async () => {
    const w = world();
    const req = request('ITG-C', '2026-11-27T16:31:07Z');
    await handleTracebackRequest(req, w.deps);
    w.plant('cdr/sbc-east-1/16-late.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    let tick = Date.parse('2026-11-28T16:00:00Z');
    const deps = { ...w.deps, now: () => (tick += 1000) };
    await Promise.all([handleTracebackRequest(req, deps), handleTracebackRequest(req, deps)]);
    expect(await w.store.history('C042')).toHaveLength(1);
    const answeredAt = (await w.store.get('ITG-C'))?.answeredAt;
    expect(new Set(w.events.events.map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify(w.events.events[0])]),
    );
    expect(w.events.events[0].answered_at).toBe(answeredAt);
  });

  it('keeps a still-not_found answer over the new batches, so it is not searched again each run', async () => {
    const w = world();
    const queue = new RecordingTracebackQueue();
    await handleTracebackRequest(request('ITG-N', '2026-11-27T16:31:07Z', '+12025550188'), w.deps);
    // the late batch holds another caller's call of that minute, not the requested one
    w.plant('cdr/sbc-east-1/16-other.csv', '2026-11-27T16:32:00Z', 'C100', 'T1');
    expect(await runCheck(w, queue)).toEqual(['ITG-N']);
    expect(await w.store.get('ITG-N')).toMatchObject({
      answer: { status: 'not_found', searched: { batches: 1 } },
      firstAnswer: { answer: { status: 'not_found', searched: { batches: 0 } } },
    });
    expect(w.events.events).toEqual([]);
    expect(await runCheck(w, queue)).toEqual([]);
  });

  it('leaves a not_found answer alone once the correction period after its deadline is over', async () => {
    const w = world();
    const queue = new RecordingTracebackQueue();
    const req = request('ITG-O', '2026-11-27T16:31:07Z');
    await handleTracebackRequest(req, w.deps);
    w.plant('cdr/sbc-east-1/16-late.csv', '2026-11-27T16:31:05Z', 'C042', 'T7');
    // deadline 2026-11-29T14:05Z, corrections for 24 hours after it
    w.setNow(Date.parse('2026-11-30T14:06:00Z'));
    expect(await runCheck(w, queue)).toEqual([]);
    expect(await handleTracebackRequest(req, w.deps)).toMatchObject({
      outcome: 'duplicate',
      answer: { status: 'not_found' },
    });
    w.setNow(Date.parse('2026-11-30T14:00:00Z'));
    expect(await runCheck(w, queue)).toEqual(['ITG-O']);
    expect((await w.store.get('ITG-O'))?.answer?.status).toBe('found');
  });
});

describe('deadline watcher (injected clock)', () => {
  const received = Date.parse('2026-11-28T14:05:00Z');
  const deadline = received + DAY;

  function setup() {
    const store = new InMemoryTracebackStore();
    const sent: Array<{ key: string; text: string }> = [];
    const notifier: DeadlineNotifier = {
      async alert(alert, record) {
        sent.push({ key: `${record.tracebackId}:${alert.key}`, text: describeRemaining(alert.remainingMs) });
      },
    };
    return { store, sent, deps: { store, notifier } };
  }

  it('warns once at the lead time, then once on breach, and stops once answered', async () => {
    const { store, sent, deps } = setup();
    await store.create(newRecord(request('ITG-W', '2026-11-27T16:31:07Z')));

    expect((await watchDeadlines(deps, deadline - 5 * HOUR)).sent).toEqual([]);
    const warn = await watchDeadlines(deps, deadline - 3.5 * HOUR);
    expect(warn).toMatchObject({ open: 1, nearDeadline: 1, breached: 0 });
    expect(sent).toEqual([{ key: 'ITG-W:warn-240m', text: '3h 30m left' }]);
    await watchDeadlines(deps, deadline - 3 * HOUR);
    expect(sent).toHaveLength(1);

    const breach = await watchDeadlines(deps, deadline + 15 * 60_000);
    expect(breach).toMatchObject({ nearDeadline: 0, breached: 1 });
    expect(sent.at(-1)).toEqual({ key: 'ITG-W:breach', text: 'overdue by 15m' });
    await watchDeadlines(deps, deadline + HOUR);
    expect(sent).toHaveLength(2);

    await store.saveAnswer('ITG-W', {
      answer: {} as never,
      answeredAt: '2026-11-29T15:00:00Z',
    });
    expect(await watchDeadlines(deps, deadline + 2 * HOUR)).toMatchObject({ open: 0, breached: 0, sent: [] });
  });

  it('sends only the tightest lead time reached, most urgent first', () => {
    const alerts = decideDeadlineAlerts(
      [
        { tracebackId: 'later', deadlineMs: deadline + HOUR, alertsSent: [] },
        { tracebackId: 'first-seen-late', deadlineMs: deadline, alertsSent: [] },
        { tracebackId: 'warned-at-1h', deadlineMs: deadline, alertsSent: ['warn-60m'] },
      ],
      deadline - 30 * 60_000,
      [4 * HOUR, HOUR],
    );
    expect(alerts.map((a) => [a.tracebackId, a.key])).toEqual([
      ['first-seen-late', 'warn-60m'],
      ['later', 'warn-240m'],
    ]);
  });
});

describe('on-call deadline message', () => {
  it('names the request and the time left, never a phone number in clear', () => {
    const record = newRecord(
      validateTracebackRequest(
        {
          traceback_id: 'ITG-9',
          received_at: '2026-11-28T14:05:00Z',
          call_time: '2026-11-27T16:31:07Z',
          calling_number: '+12025550143',
          called_number: '+13125550199',
          campaign: 'callback to (202) 555-0143',
        },
        'ITG-9',
      ),
    );
    const { subject, text } = deadlineAlertText(
      {
        tracebackId: 'ITG-9',
        kind: 'warning',
        key: 'warn-240m',
        deadlineMs: Date.parse(record.deadline),
        remainingMs: 3 * HOUR,
      },
      record,
    );
    expect(subject).toBe('Traceback ITG-9 due in 3h 00m');
    expect(text).toContain('must be answered by 2026-11-29T14:05:00Z (3h 00m left)');
    expect(containsPhoneNumber(`${subject}\n${text}`)).toBe(false);
    expect(text).toContain('***0143');
  });
});
