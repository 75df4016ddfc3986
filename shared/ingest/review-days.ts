import { randomUUID } from 'node:crypto';
import { HOUR_MS, isoUtc } from '../cdr/time.ts';
import { scoreCustomerWindows } from '../detect/analysis.ts';
import { DAY_MS } from '../detect/day-window.ts';
import { emptyReference } from '../detect/reference.ts';
import { daySk } from './keys.ts';
import { forEachLimited } from './parallel.ts';
import type { AggregateStore, Clock, EventPublisher, ReferenceSource } from './ports.ts';
import { type PublishContext, publishIfRaised, trunksOf } from './publish-findings.ts';

/**
 * The day review: each customer's UTC day judged as a whole (detect/day-window.ts) once the day is
 * over, on all of its hours. Ingest judges hours as their batches come, but a day judged on the hours
 * in so far can fire on what the whole day would not (a business's night hours, when few answer) and
 * repeat a reason its hours fire once they are complete; publishing only ever raises a severity, so
 * such a finding would stay. Ingest notes the customer-days it writes to (markDaysTouched); a
 * scheduled run reviews the noted days that ended more than `graceMs` ago and forgets each note it
 * reviewed, unless a part noted it again meanwhile. A batch arriving after the review notes its day
 * again, and the next run judges the day once more, publishing only a raised severity.
 */

export interface DayReviewContext {
  store: AggregateStore;
  events: EventPublisher;
  clock: Clock;
  reference: Pick<ReferenceSource, 'customers' | 'policy' | 'tracebacks'>;
  /** how long after a UTC day ends its late batches may still come: the day is reviewed only then */
  graceMs: number;
  parallel: number;
  /** no customer is started with less than this left of the invocation: its note waits for the next run */
  marginMs: number;
}

export interface DayReviewReport {
  /** the days reviewed: customers judged, day findings published, customers left for the next run */
  reviewed: Array<{ day: string; customers: number; published: number; left: number }>;
  /** noted days not over yet (within their grace) */
  waiting: string[];
}

/** Hours before the day read as its history (calling numbers seen before, as scoring reads them). */
const HISTORY_HOURS = 24;

export async function reviewDays(ctx: DayReviewContext): Promise<DayReviewReport> {
  const report: DayReviewReport = { reviewed: [], waiting: [] };
  const policy = await ctx.reference.policy();
  for (const day of await ctx.store.touchedDays()) {
    if (day.dayMs + DAY_MS + ctx.graceMs > ctx.clock.now()) {
      report.waiting.push(isoUtc(day.dayMs));
      continue;
    }
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
    report.reviewed.push({ day: isoUtc(day.dayMs), customers: customers.length - left, published, left });
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

/** One line on what a review did: customer-days judged, day findings published, what is left or waits. */
export function dayReviewSummary(report: DayReviewReport): string {
  const t = dayReviewTotals(report);
  const waiting = report.waiting.length ? `; ${report.waiting.length} day(s) not over yet` : '';
  const left = t.left > 0 ? `; ${t.left} left for the next run` : '';
  return `${t.customers} customer-day(s) over ${report.reviewed.length} day(s) judged whole, ${t.published} day finding(s) published${left}${waiting}`;
}
