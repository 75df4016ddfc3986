import { describe, expect, it } from 'vitest';
import { HOUR_MS, isoUtc } from '../../shared/cdr/time.ts';
import { severityRank } from '../../shared/detect/finding.ts';
import { FIRST_READ_MS, mayHoldDay } from '../../shared/ingest/day-holds.ts';
import { recordDeliveryFailure } from '../../shared/ingest/delivery-failure.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import {
  type DayReviewContext,
  dayReviewSummary,
  dayReviewTotals,
  reviewDays,
} from '../../shared/ingest/review-days.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { cdrBatch, HOUR0, smallRobocallHour } from './ingest-cdr-fixtures.ts';

const H = HOUR_MS;
const DAY = Date.UTC(2026, 10, 27);
const DAY_END = DAY + 24 * H;
const GRACE = 2 * H;
const HOLD = 6 * H;

/** The ports after ingesting these batches (at `atMs`; by default during the day), and a review of them at `nowMs`. */
async function ingested(batches: Array<[string, string]>, atMs?: number) {
  const p = memoryIngestPorts();
  if (atMs !== undefined) p.clock.nowMs = atMs;
  for (const [key, body] of batches) {
    p.source.put(TEST_BUCKET, key, body);
    await processBatch(ingestJob(key, body), p);
  }
  const review = (nowMs: number, overrides: Partial<DayReviewContext> = {}) => {
    p.clock.nowMs = nowMs;
    return reviewDays({
      store: p.aggregates,
      events: p.events,
      clock: p.clock,
      reference: p.reference,
      manifest: p.manifest,
      graceMs: GRACE,
      holdMs: HOLD,
      parallel: 4,
      marginMs: 0,
      ...overrides,
    });
  };
  return { p, review };
}

const robocallDay = [0, 1, 2].map(
  (h) => [`cdr/s/${h}.csv`, smallRobocallHour(HOUR0 + h * H, `h${h}-`)] as [string, string],
);
const dayWindow = (e: { window_start: string; window_end: string }) => [e.window_start, e.window_end];

describe('the day review', () => {
  it('judges a day only once it is over and its grace has passed, then on all of its hours', async () => {
    const { p, review } = await ingested(robocallDay);
    // Act: during the day, and within the grace after it
    const early = await review(DAY_END - H);
    const inGrace = await review(DAY_END + GRACE - 1);
    // Assess: nothing judged, the notes kept
    expect(early).toEqual({ reviewed: [], held: [], waiting: ['2026-11-27T00:00:00Z'] });
    expect(inGrace.waiting).toEqual(['2026-11-27T00:00:00Z']);
    expect(p.events.published).toEqual([]);
    // Act: once over
    const done = await review(DAY_END + GRACE);
    // Assess: one day finding over the three hours, on the day's own claim, without a batch
    expect(done).toEqual({
      reviewed: [{ day: '2026-11-27T00:00:00Z', customers: 1, published: 1, left: 0, missing: [] }],
      held: [],
      waiting: [],
    });
    const [event] = p.events.published;
    expect(dayWindow(event)).toEqual(['2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z']);
    expect(event.metrics).toMatchObject({ calls: 240, active_hours: 3 });
    expect(event.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['SHORT_CALL_RATIO', 'LOW_ASR']));
    expect(['high', 'critical']).toContain(event.severity);
    expect(event.batch).toBeUndefined();
    expect([...p.aggregates.days.values()].map((d) => d.sev)).toEqual([severityRank(event.severity)]);
    // the notes are gone: the next run has nothing to do
    expect(await p.aggregates.touchedDays()).toEqual([]);
    expect(await review(DAY_END + GRACE + H)).toEqual({ reviewed: [], held: [], waiting: [] });
  });

  it('a batch arriving after the review notes its day again; the day is judged again and published only if raised', async () => {
    const { p, review } = await ingested(robocallDay.slice(0, 2));
    await review(DAY_END + GRACE);
    const first = p.events.published.map((e) => e.severity);
    expect(first).toHaveLength(1);
    // Act: the third hour arrives late, then the next run
    p.source.put(TEST_BUCKET, robocallDay[2][0], robocallDay[2][1]);
    await processBatch(ingestJob(...robocallDay[2]), p);
    const again = await review(DAY_END + GRACE + H);
    // Assess: judged again on three hours; published again only for a higher severity
    expect(again.reviewed).toEqual([
      expect.objectContaining({ day: '2026-11-27T00:00:00Z', customers: 1, left: 0 }),
    ]);
    const raised = again.reviewed[0].published === 1;
    expect(p.events.published).toHaveLength(raised ? 2 : 1);
    if (raised) expect(severityRank(p.events.published[1].severity)).toBeGreaterThan(severityRank(first[0]));
  });

  it('an ordinary customer whose day raises nothing is reviewed and forgotten, with nothing published', async () => {
    const quiet = cdrBatch({ seed: 3, rowsPerWindow: 40, customers: ['Q'], hours: 3 });
    const { p, review } = await ingested([['cdr/s/q.csv', quiet]]);
    const report = await review(DAY_END + GRACE);
    expect(report.reviewed).toEqual([
      { day: '2026-11-27T00:00:00Z', customers: 1, published: 0, left: 0, missing: [] },
    ]);
    expect(p.events.published).toEqual([]);
    expect(await p.aggregates.touchedDays()).toEqual([]);
  });

  it('a note made again while the review ran is kept for the next run', async () => {
    const { p, review } = await ingested(robocallDay);
    // a part notes the customer's day again between the review's read of the notes and its clearing
    const store = p.aggregates;
    const read = store.touchedCustomers.bind(store);
    store.touchedCustomers = async (dayMs: number) => {
      const notes = await read(dayMs);
      await store.markDaysTouched([{ customerId: 'SMALL', dayMs }], 'a later part');
      return notes;
    };
    const report = await review(DAY_END + GRACE);
    expect(report.reviewed).toEqual([
      { day: '2026-11-27T00:00:00Z', customers: 0, published: 1, left: 1, missing: [] },
    ]);
    expect((await store.touchedCustomers(DAY)).map((c) => c.token)).toEqual(['a later part']);
    expect((await store.touchedDays()).map((d) => d.token)).toEqual(['a later part']);
  });

  it('stops starting customers when the invocation runs short, leaving their notes', async () => {
    const { p, review } = await ingested(robocallDay);
    const report = await review(DAY_END + GRACE, { marginMs: 1_000_000 });
    expect(report.reviewed).toEqual([
      { day: '2026-11-27T00:00:00Z', customers: 0, published: 0, left: 1, missing: [] },
    ]);
    expect(p.events.published).toEqual([]);
    expect(await p.aggregates.touchedCustomers(DAY)).toHaveLength(1);
  });
});

describe('the day review and the batches not done yet', () => {
  const day = '2026-11-27T00:00:00Z';
  const [lateKey, lateBody] = robocallDay[2];
  const lateId = `${TEST_BUCKET}/${lateKey}#v1`;

  /** A delivery of `key` that dies where `port` fails (a crash: nothing recorded, SQS delivers it again). */
  async function dies(p: ReturnType<typeof memoryIngestPorts>, key: string, body: string | Buffer) {
    p.source.put(TEST_BUCKET, key, body);
    await expect(processBatch(ingestJob(key, body), p)).rejects.toThrow();
  }

  it('holds a day while a batch that may hold its calls is being read or waits for a redelivery, then judges it on all of its hours', async () => {
    // the day's batches uploaded days after it (a switch catching up, a local stack given a past day)
    const LATER = DAY_END + 3 * 24 * H;
    const { p, review } = await ingested(robocallDay.slice(0, 2), LATER);
    // the day's third hour: its delivery dies while reading (nothing of it read, nothing recorded)
    const open = p.source.open.bind(p.source);
    p.source.open = async () => {
      throw new Error('killed');
    };
    await dies(p, lateKey, lateBody);
    p.source.open = open;
    // a batch of the next day, all of it read, that dies before its windows are counted: not this day's
    const nextDay = smallRobocallHour(HOUR0 + 24 * H, 'n-');
    const commit = p.aggregates.commitMany.bind(p.aggregates);
    p.aggregates.commitMany = async () => {
      throw new Error('killed');
    };
    await dies(p, 'cdr/s/next.csv', nextDay);
    p.aggregates.commitMany = commit;
    const read: string[][] = [];
    const unfinishedBegun = p.manifest.unfinishedBegun.bind(p.manifest);
    p.manifest.unfinishedBegun = (fromMs, toMs) => {
      read.push([isoUtc(fromMs), isoUtc(toMs)]);
      return unfinishedBegun(fromMs, toMs);
    };
    // Act: the next run
    const held = await review(LATER + H);
    // Assess: held for the third hour's batch alone, as long past its begin as a timely batch past the
    // day's review; nothing judged on two hours
    expect(held).toEqual({
      reviewed: [],
      held: [{ day, until: isoUtc(LATER + HOLD), batches: [{ batchId: lateId, state: 'in progress' }] }],
      waiting: [],
    });
    // read: the batches begun from the day's start to the end of its own hold, and in the hold before now
    expect(read).toEqual([
      [day, isoUtc(DAY_END + GRACE + HOLD)],
      [isoUtc(LATER + H - HOLD), isoUtc(LATER + H)],
    ]);
    expect(dayReviewSummary(held)).toBe(
      `0 customer-day(s) over 0 day(s) judged whole, 0 day finding(s) published; 1 day(s) held for 1 batch(es) not done yet: ${lateId} (in progress)`,
    );
    expect(p.events.published).toEqual([]);
    // Act: its failed delivery is recorded (SQS delivers it again), then the next run
    await recordDeliveryFailure(
      ingestJob(lateKey, lateBody),
      new Error('killed'),
      { receive: 1, maxReceives: 5 },
      p,
    );
    const retrying = await review(LATER + 2 * H);
    // Assess: still held, waiting for the retry
    expect(retrying.held.map((d) => d.batches)).toEqual([[{ batchId: lateId, state: 'awaiting a retry' }]]);
    // Act: the redelivery reads it; the next run
    await processBatch(ingestJob(lateKey, lateBody), p);
    const judged = await review(LATER + 3 * H);
    // Assess: judged once, on its three hours
    expect(judged).toEqual({
      reviewed: [{ day, customers: 1, published: 1, left: 0, missing: [] }],
      held: [],
      waiting: [],
    });
    expect(p.events.published.map((e) => e.metrics)).toEqual([
      expect.objectContaining({ calls: 240, active_hours: 3 }),
    ]);
  });

  it('a batch not done within the hold (unreadable, dead-lettered) no longer holds the day: it is judged, the report naming the batch', async () => {
    const { p, review } = await ingested(robocallDay.slice(0, 2));
    // a truncated gzip: every delivery fails alike until the file is fixed
    const unreadable = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]);
    await dies(p, 'cdr/s/bad.csv.gz', unreadable);
    // the third hour: its fifth delivery fails too, and the message goes to the dead-letter queue
    const open = p.source.open.bind(p.source);
    p.source.open = async () => {
      throw new Error('AccessDenied');
    };
    await dies(p, lateKey, lateBody);
    p.source.open = open;
    await recordDeliveryFailure(
      ingestJob(lateKey, lateBody),
      new Error('AccessDenied'),
      { receive: 5, maxReceives: 5 },
      p,
    );
    const missing = [
      { batchId: `${TEST_BUCKET}/cdr/s/bad.csv.gz#v1`, state: 'unreadable' },
      { batchId: lateId, state: 'in the dead-letter queue' },
    ];
    // Act: within the hold, then at its end
    const held = await review(DAY_END + GRACE + HOLD - 1);
    const judged = await review(DAY_END + GRACE + HOLD);
    // Assess: held for both until the hold ends, then judged on the hours in, naming both
    expect(held.held).toEqual([{ day, until: isoUtc(DAY_END + GRACE + HOLD), batches: missing }]);
    expect(held.reviewed).toEqual([]);
    expect(judged).toEqual({
      reviewed: [{ day, customers: 1, published: 1, left: 0, missing }],
      held: [],
      waiting: [],
    });
    expect(dayReviewSummary(judged)).toBe(
      `1 customer-day(s) over 1 day(s) judged whole, 1 day finding(s) published; judged without 2 batch(es) not done past the hold: ${TEST_BUCKET}/cdr/s/bad.csv.gz#v1 (unreadable), ${lateId} (in the dead-letter queue)`,
    );
    expect(await p.aggregates.touchedDays()).toEqual([]);
  });
});

describe('which days a batch not done may hold', () => {
  const cut = (firstMs: number, lastMs: number, final: boolean) => ({
    rows: 1,
    calls: 1,
    quarantined: 0,
    firstMs,
    lastMs,
    endRow: 1,
    final,
  });
  const batch = (startedMs: number, parts: Record<string, ReturnType<typeof cut>>) => ({
    batchId: 'b',
    startedMs,
    parts,
    failure: null,
  });
  const later = DAY_END + 3 * 24 * H;

  it('read to its end: the days of its calls', () => {
    const read = batch(later, { 0: cut(DAY + H, DAY_END + H, true) });
    expect([DAY - 24 * H, DAY, DAY_END].map((d) => mayHoldDay(read, d, later + H))).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('rows not read yet: any day that began before it, once its first delivery had time to read a part', () => {
    const partly = batch(later, { 0: cut(DAY + H, DAY + 2 * H, false) });
    expect([DAY - 24 * H, later + H].map((d) => mayHoldDay(partly, d, later + H))).toEqual([true, false]);
    // its first delivery still reading: no day yet
    expect(mayHoldDay(batch(later, {}), DAY, later + FIRST_READ_MS - 1)).toBe(false);
    expect(mayHoldDay(batch(later, {}), DAY, later + FIRST_READ_MS)).toBe(true);
  });
});

describe('what a day review reports', () => {
  it('adds up its days, and says what is left and what waits', () => {
    const dead = { batchId: 'b/cdr/s/dead.csv#1', state: 'in the dead-letter queue' } as const;
    const report = {
      reviewed: [
        { day: '2026-11-25T00:00:00Z', customers: 300, published: 2, left: 0, missing: [dead] },
        { day: '2026-11-26T00:00:00Z', customers: 120, published: 1, left: 30, missing: [] },
      ],
      held: [
        {
          day: '2026-11-27T00:00:00Z',
          until: '2026-11-28T08:00:00Z',
          batches: [1, 2, 3, 4].map((n) => ({
            batchId: `b/cdr/s/${n}.csv#1`,
            state: 'in progress' as const,
          })),
        },
      ],
      waiting: ['2026-11-28T00:00:00Z'],
    };
    expect(dayReviewTotals(report)).toEqual({ customers: 420, published: 3, left: 30 });
    expect(dayReviewSummary(report)).toBe(
      '420 customer-day(s) over 2 day(s) judged whole, 3 day finding(s) published; 30 left for the next run; ' +
        'judged without 1 batch(es) not done past the hold: b/cdr/s/dead.csv#1 (in the dead-letter queue); ' +
        '1 day(s) held for 4 batch(es) not done yet: b/cdr/s/1.csv#1 (in progress), b/cdr/s/2.csv#1 (in progress), b/cdr/s/3.csv#1 (in progress) and 1 more; ' +
        '1 day(s) not over yet',
    );
  });
});
