import { HOUR_MS } from '../cdr/time.ts';
import { scoreCustomerWindows } from '../detect/analysis.ts';
import { unknownCustomer } from '../detect/customers.ts';
import { dayStart } from '../detect/day-window.ts';
import { type Finding, severityRank } from '../detect/finding.ts';
import { effectiveRule, type Policy } from '../detect/policy.ts';
import type { ReferenceData } from '../detect/reference.ts';
import { topTrunks } from '../detect/score.ts';
import type { TracebackHistory } from '../detect/traceback-history.ts';
import { EXAMPLE_CALLS, type FindingSource, findingEvent } from './finding-event.ts';
import { windowSk } from './keys.ts';
import { backoffMs, forEachLimited, sleep } from './parallel.ts';
import type { AggregateStore, Clock, CustomerDay, EventPublisher, StoredWindow } from './ports.ts';

/** Earlier hours read back to judge a window against the customer's own history (analysis.ts baseline). */
const HISTORY_HOURS = 24;
/**
 * A publish claim lasts as long as the invocation holding it can (its remaining time), plus this much
 * for the clocks of two invocations to disagree: an invocation killed between claim and confirm (its
 * timeout, a crash) blocks the window's redeliveries no longer than it could have lived. A fixed
 * lease did both wrongs: longer than a short-lived invocation, it dead-lettered batches whose
 * redeliveries all found the claim of one long dead; shorter than a day review's 15 minutes, it let a
 * second publisher in beside a live one.
 */
export const CLAIM_CLOCK_MARGIN_MS = 5_000;
/**
 * The longest a claim stands: the longest function timeout (the day review's 15 minutes). A caller
 * with no deadline of its own (`traceguard day-review` from a shell, whose remaining time is
 * unbounded) would otherwise hold a window for good if it were stopped between claim and confirm.
 */
export const MAX_CLAIM_LEASE_MS = 15 * 60_000;

/** Until when a claim made now may stand: the end of this invocation, with the clock margin. */
export function claimLeaseEnd(clock: Clock): number {
  const lives = Math.min(Math.max(0, clock.remainingMs()), MAX_CLAIM_LEASE_MS);
  return clock.now() + lives + CLAIM_CLOCK_MARGIN_MS;
}
/** waits for another invocation's claim to be confirmed or released before deferring to a redelivery */
const BUSY_RETRIES = 5;

/** Findings not published because another invocation held the window's claim until the end. */
export class PublishDeferredError extends Error {
  override name = 'PublishDeferredError';
}

/**
 * The time a publish needs left in its invocation: the message and the confirming write take
 * milliseconds, but a throttled write is retried by the SDK with backoff for a second or more.
 */
export const PUBLISH_ROOM_MS = 2_000;

/** A publish given up because the invocation was about to reach its deadline (see publishIfRaised). */
export class InvocationPastDeadlineError extends Error {
  override name = 'InvocationPastDeadlineError';
}

export interface TouchedWindows {
  /** customer id -> customer-level hours (hourMs) this part wrote to */
  byCustomer: Map<string, Set<number>>;
  exampleCalls(customerId: string, hourMs: number): string[];
}

export interface PublishContext {
  store: AggregateStore;
  events: EventPublisher;
  clock: Clock;
  ref: ReferenceData;
  policy: Policy;
  tracebacks: TracebackHistory | null;
  /** the batch whose part is published; null for the day review */
  source: FindingSource | null;
  /** who claims a severity: unique per attempt, so concurrent deliveries of one batch exclude each other */
  claimant: string;
  /** windows whose claim stayed busy (filled in by publishFindings) */
  deferred: string[];
  parallel: number;
}

/** The busiest trunks of the stored hours in [fromMs, toMs) (ties by trunk id). */
export function trunksOf(stored: StoredWindow[]) {
  return (fromMs: number, toMs: number) => {
    const calls = new Map<string, number>();
    for (const s of stored) {
      if (s.window.hourMs < fromMs || s.window.hourMs >= toMs) continue;
      for (const [trunk, n] of Object.entries(s.trunkCalls)) calls.set(trunk, (calls.get(trunk) ?? 0) + n);
    }
    return topTrunks(new Map([...calls].sort((a, b) => a[0].localeCompare(b[0]))));
  };
}

/**
 * Scores every customer-hour the part touched, with the merged totals read back from the store
 * (so all batches of the hour count), and publishes a finding only when the window reaches a
 * severity above what was already published for it. Order: claim, publish, confirm. Concurrent
 * deliveries cannot both publish (one holds the claim); a failed publish is never lost, since the
 * claim is released (or expires) and the redelivered batch scores again. Only a crash between
 * publish and confirm can repeat one message, after the lease.
 *
 * The customer's stored hours up to a day after the touched ones are scored again too: the touched
 * hours are their history (volume baseline, calling numbers seen before, reasons hours running).
 * Batches do not arrive in time order (a switch uploading hours behind, two switches at different
 * paces, a batch swept up after a crash), and a later hour judged before its history was in would
 * otherwise keep that verdict: a volume spike with no baseline yet is no spike.
 */
export async function publishFindings(touched: TouchedWindows, ctx: PublishContext): Promise<number> {
  // noted first: a part whose publishing fails is delivered again and notes its days again
  await ctx.store.markDaysTouched(touchedDays(touched), ctx.claimant);
  let published = 0;
  await forEachLimited([...touched.byCustomer], ctx.parallel, async ([customerId, hourSet]) => {
    const hours = [...hourSet].sort((a, b) => a - b);
    const first = hours[0];
    const last = hours[hours.length - 1];
    // One read for the touched hours and the later ones they are history for (in time order, there
    // are none yet). Most customer-hours are quiet: judged on these alone, nothing fires and none is
    // big enough for a volume spike, and history can only add VOLUME_SPIKE (or hold ANI_ROTATION
    // back). Those skip the 24-hour read-back, which is most of ingest's DynamoDB reads.
    const touchedOn = await ctx.store.customerHours(customerId, first, last + HISTORY_HOURS * HOUR_MS);
    if (!mayFire(customerId, touchedOn, ctx)) return;
    const earlier = await ctx.store.customerHours(
      customerId,
      first - HISTORY_HOURS * HOUR_MS,
      first - HOUR_MS,
    );
    const stored = [...earlier, ...touchedOn];
    // a day is judged by the day review once it is over, not on the hours in so far (review-days.ts)
    const findings = scoreCustomerWindows(
      customerId,
      stored.map((s) => s.window),
      ctx.ref,
      ctx.policy,
      ctx.tracebacks,
      trunksOf(stored),
      { days: false },
    );
    const sevByHour = new Map(stored.map((s) => [s.window.hourMs, s.sev]));
    for (const finding of findings) {
      const startMs = Date.parse(finding.window_start);
      // the earlier hours were read as history only: nothing of this part can change their verdict
      if (startMs < first) continue;
      const calls = exampleCallsOf(touched, finding.customer_id, hours, startMs);
      if (await publishIfRaised(finding, windowSk('', startMs), sevByHour.get(startMs) ?? 0, calls, ctx))
        published++;
    }
  });
  if (ctx.deferred.length > 0) {
    // not lost: the redelivered message scores these windows again once the other claim is settled
    throw new PublishDeferredError(
      `${ctx.deferred.length} finding(s) being published by another invocation (${ctx.deferred.slice(0, 3).join(', ')}); retry later`,
    );
  }
  return published;
}

/** The customer-days the part wrote hours to. */
function touchedDays(touched: TouchedWindows): CustomerDay[] {
  const days: CustomerDay[] = [];
  for (const [customerId, hours] of touched.byCustomer)
    for (const dayMs of new Set([...hours].map(dayStart))) days.push({ customerId, dayMs });
  return days;
}

/** True when the windows read could yield a finding once the customer's history is known. */
function mayFire(customerId: string, read: StoredWindow[], ctx: PublishContext): boolean {
  const customer = ctx.ref.customers.get(customerId) ?? unknownCustomer(customerId);
  const spike = effectiveRule(
    ctx.policy,
    'VOLUME_SPIKE',
    customer.traffic_profile,
    customer.vetting,
    'max',
    false,
  );
  if (spike.enabled && read.some((s) => s.window.attempts >= spike.minAttempts)) return true;
  const windows = read.map((s) => s.window);
  return (
    scoreCustomerWindows(customerId, windows, ctx.ref, ctx.policy, ctx.tracebacks, undefined, {
      days: false,
    }).length > 0
  );
}

/** Calls of this part behind an hour's finding, for the analyst to look up; none for a later hour rescored as history. */
function exampleCallsOf(
  touched: TouchedWindows,
  customerId: string,
  touchedHours: number[],
  hourMs: number,
): string[] {
  return touchedHours.includes(hourMs)
    ? touched.exampleCalls(customerId, hourMs).slice(0, EXAMPLE_CALLS)
    : [];
}

/**
 * Publishes a finding when its severity is above what was published for its window (`publishedRank`,
 * and the window's claim): claim, publish, confirm. False when it was not raised, or another
 * invocation is publishing it (then noted in ctx.deferred).
 */
export async function publishIfRaised(
  finding: Finding,
  sk: string,
  publishedRank: number,
  exampleCalls: string[],
  ctx: PublishContext,
): Promise<boolean> {
  const rank = severityRank(finding.severity);
  if (rank <= publishedRank) return false;
  let claimed = await ctx.store.claimSeverity(
    finding.customer_id,
    sk,
    rank,
    ctx.claimant,
    claimLeaseEnd(ctx.clock),
    ctx.clock.now(),
  );
  // another invocation is publishing this window right now: it usually confirms within moments
  for (let attempt = 0; claimed === 'busy' && attempt < BUSY_RETRIES; attempt++) {
    await sleep(100 + backoffMs(attempt, 100, 1000));
    claimed = await ctx.store.claimSeverity(
      finding.customer_id,
      sk,
      rank,
      ctx.claimant,
      claimLeaseEnd(ctx.clock),
      ctx.clock.now(),
    );
  }
  if (claimed === 'published') return false;
  if (claimed === 'busy') {
    ctx.deferred.push(`${finding.customer_id} ${finding.window_start}`);
    return false;
  }
  if (ctx.clock.remainingMs() < PUBLISH_ROOM_MS) {
    // Killed between publish and confirm (its timeout), an invocation leaves a published finding
    // unconfirmed, and the redelivery that finds its claim lapsed publishes it again. Near its end,
    // it gives the claim back instead: the redelivery publishes it, once.
    await ctx.store.releaseSeverity(finding.customer_id, sk, ctx.claimant).catch(() => undefined);
    throw new InvocationPastDeadlineError(
      `not publishing ${finding.customer_id} ${finding.window_start}: under ${PUBLISH_ROOM_MS / 1000} s of the invocation left; its redelivery publishes it`,
    );
  }
  const event = findingEvent(finding, ctx.source, exampleCalls);
  try {
    await ctx.events.publishFinding(event);
  } catch (error) {
    await ctx.store.releaseSeverity(finding.customer_id, sk, ctx.claimant).catch(() => undefined);
    throw error;
  }
  await ctx.store.confirmSeverity(finding.customer_id, sk, rank, ctx.claimant);
  return true;
}
