import { randomUUID } from 'node:crypto';
import { HOUR_MS, isoUtc } from '../cdr/time.ts';
import { scoreCustomerWindows } from '../detect/analysis.ts';
import { DAY_MS } from '../detect/day-window.ts';
import { emptyReference } from '../detect/reference.ts';
import { dayHold, distinctBatches, type MissingBatch, missingBatchesText } from './day-holds.ts';
import { daySk } from './keys.ts';
import { forEachLimited } from './parallel.ts';
import type { AggregateStore, Clock, EventPublisher, ManifestStore, ReferenceSource } from './ports.ts';
import { type PublishContext, publishIfRaised, trunksOf } from './publish-findings.ts';

/**
 * The day review: each customer's UTC day judged as a whole (detect/day-window.ts) once the day is
 * over, on all of its hours. Ingest judges hours as their batches come, but a day judged on the hours
 * in so far can fire on what the whole day would not (a business's night hours, when few answer) and
 * repeat a reason its hours fire once they are complete; publishing only ever raises a severity, so
 * such a finding would stay. Ingest notes the customer-days it writes to (markDaysTouched); a
 * scheduled run reviews the noted days that ended more than `graceMs` ago and forgets each note it
 * reviewed, unless a part noted it again meanwhile. A day with a batch not done yet that may hold
 * its calls (day-holds.ts: being read, or waiting for SQS to deliver it again) is held, and judged on a
 * later run once the batch is done; a batch that is not done within `holdMs` of the day's review time,
 * or of its own begin if later (unreadable, dead-lettered), no longer holds it: the day is judged, the
 * report naming that batch. A
 * batch arriving after the review notes its day again, and the next run judges the day once more,
 * publishing only a raised severity.
 */

export interface DayReviewContext {
  store: AggregateStore;
  events: EventPublisher;
  clock: Clock;
  reference: Pick<ReferenceSource, 'customers' | 'policy' | 'tracebacks'>;
  /** which batches are not done yet */
  manifest: Pick<ManifestStore, 'unfinishedBegun'>;
  /** how long after a UTC day ends its late batches may still come: the day is reviewed only then */
  graceMs: number;
  /** how long past that (or past a later batch's begin) a day waits for its batches not done yet, at most */
  holdMs: number;
  parallel: number;
  /** no customer is started with less than this left of the invocation: its note waits for the next run */
  marginMs: number;
}

export interface DayReviewReport {
  /**
   * the days reviewed: customers judged, day findings published, customers left for the next run, and
   * the batches not done that may hold calls of the day, judged without them (its hold was over)
   */
  reviewed: Array<{
    day: string;
    customers: number;
    published: number;
    left: number;
    missing: MissingBatch[];
  }>;
  /** days over and held for these batches not done yet: judged once they are, or from `until` without them */
  held: Array<{ day: string; until: string; batches: MissingBatch[] }>;
  /** noted days not over yet (within their grace) */
  waiting: string[];
}

/** Hours before the day read as its history (calling numbers seen before, as scoring reads them). */
const HISTORY_HOURS = 24;

export async function reviewDays(ctx: DayReviewContext): Promise<DayReviewReport> {
  const report: DayReviewReport = { reviewed: [], held: [], waiting: [] };
  const policy = await ctx.reference.policy();
  for (const day of await ctx.store.touchedDays()) {
    const nowMs = ctx.clock.now();
    const dueMs = day.dayMs + DAY_MS + ctx.graceMs;
    if (dueMs > nowMs) {
      report.waiting.push(isoUtc(day.dayMs));
      continue;
    }
    const hold = await dayHold(ctx.manifest, { dayMs: day.dayMs, dueMs, holdMs: ctx.holdMs }, nowMs);
    if (hold.untilMs !== null && nowMs < hold.untilMs) {
      report.held.push({ day: isoUtc(day.dayMs), until: isoUtc(hold.untilMs), batches: hold.batches });
      continue;
    }
    const missing = hold.batches;
    const customers = await ctx.store.touchedCustomers(day.dayMs);
    const ids = customers.map((c) => c.customerId);
    const [registry, tracebacks] = await Promise.all([
      ctx.reference.customers(ids),
      ctx.reference.tracebacks(ids),
    ]);
    const publish: PublishContext = {
      store: ctx.store,
      events: ctx.events,
      clock: ctx.clock,
      // scoring reads the registry; inventory and DNO were applied to the calls at ingest
      ref: { ...emptyReference(), customers: registry },
      policy,
      tracebacks,
      source: null,
      claimant: `day-review@${randomUUID()}`,
      deferred: [],
      parallel: ctx.parallel,
    };
    let published = 0;
    let left = 0;
    await forEachLimited(customers, ctx.parallel, async ({ customerId, token }) => {
      if (ctx.clock.remainingMs() < ctx.marginMs) {
        left++;
        return;
      }
      const stored = await ctx.store.customerHours(
        customerId,
        day.dayMs - HISTORY_HOURS * HOUR_MS,
        day.dayMs + DAY_MS - HOUR_MS,
      );
      const finding = scoreCustomerWindows(
        customerId,
        stored.map((s) => s.window),
        publish.ref,
        policy,
        tracebacks,
        trunksOf(stored),
      ).find(
        (f) => Date.parse(f.window_start) === day.dayMs && Date.parse(f.window_end) === day.dayMs + DAY_MS,
      );
      const deferredBefore = publish.deferred.length;
      if (finding && (await publishIfRaised(finding, daySk(day.dayMs), 0, [], publish))) published++;
      // a claim another review holds: its note stays for the next run
      const done =
        publish.deferred.length === deferredBefore &&
        (await ctx.store.clearTouched(day.dayMs, customerId, token));
      if (!done) left++;
    });
    // the day's own note goes only with its last customer's, and only if no part noted the day since
    if (left === 0) await ctx.store.clearTouched(day.dayMs, null, day.token);
    report.reviewed.push({
      day: isoUtc(day.dayMs),
      customers: customers.length - left,
      published,
      left,
      missing,
    });
  }
  return report;
}

/** A review's customer-days judged, day findings published and customers left, over all its days. */
export function dayReviewTotals(report: DayReviewReport): {
  customers: number;
  published: number;
  left: number;
} {
  const totals = { customers: 0, published: 0, left: 0 };
  for (const d of report.reviewed) {
    totals.customers += d.customers;
    totals.published += d.published;
    totals.left += d.left;
  }
  return totals;
}

/**
 * One line on what a review did: customer-days judged, day findings published, what is left, which
 * batches held days back or were missing from days judged, and what waits.
 */
export function dayReviewSummary(report: DayReviewReport): string {
  const t = dayReviewTotals(report);
  const waiting = report.waiting.length ? `; ${report.waiting.length} day(s) not over yet` : '';
  const left = t.left > 0 ? `; ${t.left} left for the next run` : '';
  const without = distinctBatches(report.reviewed.flatMap((d) => d.missing));
  const missing = without.length
    ? `; judged without ${without.length} batch(es) not done past the hold: ${missingBatchesText(without)}`
    : '';
  const waitedFor = distinctBatches(report.held.flatMap((d) => d.batches));
  const held = report.held.length
    ? `; ${report.held.length} day(s) held for ${waitedFor.length} batch(es) not done yet: ${missingBatchesText(waitedFor)}`
    : '';
  return `${t.customers} customer-day(s) over ${report.reviewed.length} day(s) judged whole, ${t.published} day finding(s) published${left}${missing}${held}${waiting}`;
}
