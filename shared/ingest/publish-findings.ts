import { HOUR_MS } from '../cdr/time.ts';
import { scoreCustomerWindows } from '../detect/analysis.ts';
import { type Finding, severityRank } from '../detect/finding.ts';
import type { Policy } from '../detect/policy.ts';
import type { ReferenceData } from '../detect/reference.ts';
import type { TracebackHistory } from '../detect/traceback-history.ts';
import { findingEvent } from './finding-event.ts';
import { windowSk } from './keys.ts';
import { forEachLimited } from './parallel.ts';
import type { AggregateStore, Clock, EventPublisher, StoredWindow } from './ports.ts';

/** Earlier hours read back to judge a window against the customer's own history (analysis.ts baseline). */
const HISTORY_HOURS = 24;
/** A publish claim outlives a crashed invocation by this much, well under the queue's visibility timeout. */
export const CLAIM_LEASE_MS = 5 * 60_000;
const TOP_TRUNKS = 5;

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
  batchKey: string;
  switchId: string;
  /** who claims a severity (the part's apply id): a redelivery of the same part may re-claim at once */
  claimant: string;
  parallel: number;
}

function trunksOf(stored: StoredWindow[]) {
  const byHour = new Map(stored.map((s) => [s.window.hourMs, s.trunkCalls]));
  return (hourMs: number) =>
    Object.entries(byHour.get(hourMs) ?? {})
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_TRUNKS)
      .map(([trunk_id, calls]) => ({ trunk_id, calls }));
}

/**
 * Scores every customer-hour the part touched, with the merged totals read back from the store
 * (so all batches of the hour count), and publishes a finding only when the window reaches a
 * severity above what was already published for it. Order: claim, publish, confirm. A crash after
 * publishing may repeat one message after the claim lease; a failed publish is never lost, since
 * the claim is released (or expires) and the redelivered batch scores again.
 */
export async function publishFindings(touched: TouchedWindows, ctx: PublishContext): Promise<number> {
  let published = 0;
  await forEachLimited([...touched.byCustomer], ctx.parallel, async ([customerId, hourSet]) => {
    const hours = [...hourSet].sort((a, b) => a - b);
    const stored = await ctx.store.customerHours(
      customerId,
      hours[0] - HISTORY_HOURS * HOUR_MS,
      hours[hours.length - 1],
    );
    const findings = scoreCustomerWindows(
      customerId,
      stored.map((s) => s.window),
      ctx.ref,
      ctx.policy,
      ctx.tracebacks,
      trunksOf(stored),
    );
    const sevByHour = new Map(stored.map((s) => [s.window.hourMs, s.sev]));
    for (const finding of findings) {
      const hourMs = Date.parse(finding.window_start);
      if (!hourSet.has(hourMs)) continue;
      if (await publishIfRaised(finding, hourMs, sevByHour.get(hourMs) ?? 0, touched, ctx)) published++;
    }
  });
  return published;
}

async function publishIfRaised(
  finding: Finding,
  hourMs: number,
  publishedRank: number,
  touched: TouchedWindows,
  ctx: PublishContext,
): Promise<boolean> {
  const rank = severityRank(finding.severity);
  if (rank <= publishedRank) return false;
  const sk = windowSk('', hourMs);
  const now = ctx.clock.now();
  const claimed = await ctx.store.claimSeverity(
    finding.customer_id,
    sk,
    rank,
    ctx.claimant,
    now + CLAIM_LEASE_MS,
    now,
  );
  if (!claimed) return false; // published already, or another invocation is publishing it now
  const event = findingEvent(
    finding,
    ctx.batchKey,
    ctx.switchId,
    touched.exampleCalls(finding.customer_id, hourMs),
  );
  try {
    await ctx.events.publishFinding(event);
  } catch (error) {
    await ctx.store.releaseSeverity(finding.customer_id, sk, ctx.claimant).catch(() => undefined);
    throw error;
  }
  await ctx.store.confirmSeverity(finding.customer_id, sk, rank, ctx.claimant);
  return true;
}
