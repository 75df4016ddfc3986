import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { severityRank } from '../../shared/detect/finding.ts';
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

/** The ports after ingesting these batches, and a review of them at `nowMs`. */
async function ingested(batches: Array<[string, string]>) {
  const p = memoryIngestPorts();
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
      graceMs: GRACE,
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
    expect(early).toEqual({ reviewed: [], waiting: ['2026-11-27T00:00:00Z'] });
    expect(inGrace.waiting).toEqual(['2026-11-27T00:00:00Z']);
    expect(p.events.published).toEqual([]);
    // Act: once over
    const done = await review(DAY_END + GRACE);
    // Assess: one day finding over the three hours, on the day's own claim, without a batch
    expect(done).toEqual({
      reviewed: [{ day: '2026-11-27T00:00:00Z', customers: 1, published: 1, left: 0 }],
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
    expect(await review(DAY_END + GRACE + H)).toEqual({ reviewed: [], waiting: [] });
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
    expect(report.reviewed).toEqual([{ day: '2026-11-27T00:00:00Z', customers: 1, published: 0, left: 0 }]);
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
    expect(report.reviewed).toEqual([{ day: '2026-11-27T00:00:00Z', customers: 0, published: 1, left: 1 }]);
    expect((await store.touchedCustomers(DAY)).map((c) => c.token)).toEqual(['a later part']);
    expect((await store.touchedDays()).map((d) => d.token)).toEqual(['a later part']);
  });

  it('stops starting customers when the invocation runs short, leaving their notes', async () => {
    const { p, review } = await ingested(robocallDay);
    const report = await review(DAY_END + GRACE, { marginMs: 1_000_000 });
    expect(report.reviewed).toEqual([{ day: '2026-11-27T00:00:00Z', customers: 0, published: 0, left: 1 }]);
    expect(p.events.published).toEqual([]);
    expect(await p.aggregates.touchedCustomers(DAY)).toHaveLength(1);
  });
});

describe('what a day review reports', () => {
  it('adds up its days, and says what is left and what waits', () => {
    const report = {
      reviewed: [
        { day: '2026-11-26T00:00:00Z', customers: 300, published: 2, left: 0 },
        { day: '2026-11-27T00:00:00Z', customers: 120, published: 1, left: 30 },
      ],
      waiting: ['2026-11-28T00:00:00Z'],
    };
    expect(dayReviewTotals(report)).toEqual({ customers: 420, published: 3, left: 30 });
    expect(dayReviewSummary(report)).toBe(
      '420 customer-day(s) over 2 day(s) judged whole, 3 day finding(s) published; 30 left for the next run; 1 day(s) not over yet',
    );
  });
});
