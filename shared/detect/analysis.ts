import { HOUR_MS } from '../cdr/time.ts';
import type { Aggregator } from './aggregator.ts';
import { judgedTier, unknownCustomer } from './customers.ts';
import { DAY_MS, dayFinding, dayStart, judgeDay, noteFired } from './day-window.ts';
import type { DistinctCounter } from './distinct.ts';
import { compareFindings, type Finding } from './finding.ts';
import { type OnNetShare, OnNetShares } from './on-net-share.ts';
import type { Policy } from './policy.ts';
import type { ReferenceData } from './reference.ts';
import type { Streak, WindowContext } from './rules/derive.ts';
import { dayGate } from './rules/evaluate.ts';
import { BASELINE_HOURS } from './rules/VOLUME_SPIKE.ts';
import { judgeHour, type TrunkShare, topTrunks } from './score.ts';
import type { TracebackHistory } from './traceback-history.ts';
import type { WindowAggregate } from './window.ts';

/**
 * Scores every window of one customer in time order, so each window is judged against the
 * customer's own earlier hours (volume baseline, calling numbers seen before), and each UTC day of
 * two or more active hours as a whole too (day-window.ts).
 */
export function scoreCustomerWindows(
  customerId: string,
  windows: WindowAggregate[],
  ref: ReferenceData,
  policy: Policy,
  tracebacks: TracebackHistory | null,
  /** the busiest trunks of the hours in [fromMs, toMs), asked for only when a finding is made */
  trunksOf: (fromMs: number, toMs: number) => TrunkShare[] = () => [],
  /**
   * days: false judges hours only (ingest, which sees a day's hours as they come; the day review judges
   * the day once it is over)
   */
  opts: { days?: boolean } = {},
): Finding[] {
  const customer = ref.customers.get(customerId) ?? unknownCustomer(customerId);
  const sorted = [...windows].sort((a, b) => a.hourMs - b.hourMs);
  const findings: Finding[] = [];
  const seen = new EarlierCalling(sorted);
  const days = policy.rules.TRACEBACK_HISTORY.windowDays;
  const contextOf = (
    i: number,
    earlierAttempts: number[],
    priorStreak?: ReadonlyMap<string, Streak>,
  ): WindowContext => ({
    customer,
    earlierAttempts,
    seenCalling: i === 0 ? null : () => seen.before(i),
    tracebacks: tracebacks ? tracebacks.countBefore(customerId, sorted[i].hourMs + HOUR_MS, days) : 0,
    priorStreak,
  });
  // reason code -> its run of hours in a row, up to the previous window's hour
  let streak: ReadonlyMap<string, Streak> = NO_STREAK;
  let streakHourMs = Number.NaN;
  const gate =
    opts.days === false
      ? Number.POSITIVE_INFINITY
      : dayGate(policy, customer.traffic_profile, judgedTier(customer));
  for (let dayFrom = 0; dayFrom < sorted.length; ) {
    const dayEnd = dayStart(sorted[dayFrom].hourMs) + DAY_MS;
    let dayTo = dayFrom;
    let dayCalls = 0;
    for (; dayTo < sorted.length && sorted[dayTo].hourMs < dayEnd; dayTo++)
      dayCalls += sorted[dayTo].attempts;
    // judged before its hours: their scoring adds their calling numbers to the earlier ones
    const day =
      dayCalls >= gate ? judgeDay(sorted.slice(dayFrom, dayTo), contextOf(dayFrom, []), policy) : null;
    // the codes the day's hours fire, which the day then leaves to them unless they only held them
    // (only kept when the day fired)
    const firedInHours = day ? new Map<string, 'full' | 'held'>() : null;
    for (let i = dayFrom; i < dayTo; i++) {
      const w = sorted[i];
      const earlierAttempts: number[] = [];
      for (let j = Math.max(0, i - BASELINE_HOURS); j < i; j++)
        if (sorted[j].hourMs >= w.hourMs - BASELINE_HOURS * HOUR_MS) earlierAttempts.push(sorted[j].attempts);
      // a streak runs through consecutive clock hours only: a quiet or missing hour ends it
      const ctx: WindowContext = contextOf(
        i,
        earlierAttempts,
        streakHourMs === w.hourMs - HOUR_MS ? streak : undefined,
      );
      const { finding: f, soft } = judgeHour(w, ctx, policy, () => trunksOf(w.hourMs, w.hourMs + HOUR_MS));
      if (f) {
        findings.push(f);
        if (firedInHours) noteFired(firedInHours, soft);
      }
      streak = nextStreak(ctx.priorStreak, f, w);
      streakHourMs = w.hourMs;
    }
    if (day && firedInHours) {
      const f = dayFinding(day, firedInHours, policy, () => trunksOf(day.pool.hourMs, dayEnd));
      if (f) findings.push(f);
    }
    dayFrom = dayTo;
  }
  return findings;
}

/**
 * The calling numbers of a customer's hours before a given one, gathered only when asked: most
 * customers' windows never are (no finding, too small for the caller-ID rotation rule), and merging
 * every hour's numbers into one set cost more than the rules that read it. Asked in time order, each
 * hour is merged once.
 */
class EarlierCalling {
  private readonly windows: WindowAggregate[];
  private union: DistinctCounter | null = null;
  /** windows[0, merged) are in `union` */
  private merged = 0;

  constructor(windows: WindowAggregate[]) {
    this.windows = windows;
  }

  /** The numbers of windows[0, i), as a set read before any later window asks (it grows then). */
  before(i: number): DistinctCounter | null {
    if (i < this.merged)
      throw new RangeError(
        `calling numbers before hour ${i} asked for after those before hour ${this.merged}`,
      );
    for (; this.merged < i; this.merged++) {
      const calling = this.windows[this.merged].calling;
      this.union = this.union ? this.union.merge(calling) : calling.clone();
    }
    return this.union;
  }
}

/** the streaks after an hour without a finding: shared, never written */
const NO_STREAK: ReadonlyMap<string, Streak> = new Map();

function nextStreak(
  prior: ReadonlyMap<string, Streak> | undefined,
  f: Finding | null,
  w: WindowAggregate,
): ReadonlyMap<string, Streak> {
  if (f === null) return NO_STREAK;
  const next = new Map<string, Streak>();
  for (const r of f.reasons) {
    const before = prior?.get(r.code);
    next.set(
      r.code,
      before ? { hours: before.hours + 1, fromMs: before.fromMs } : { hours: 1, fromMs: w.firstMs },
    );
  }
  return next;
}

/** Calls that never reached the PSTN, for the findings summary: they are counted, not judged. */
export interface OffNetTotals {
  on_net_calls: number;
  emergency_calls: number;
}

/**
 * Findings for everything an Aggregator saw, worst first, its off-net totals, the customers with
 * calls that the registry does not hold (judged as new ones) and those whose calls were mostly
 * on-net (OnNetShares): one pass, customer by customer, so
 * customers the aggregator holds only as imported numbers are built once and one at a time.
 */
export function analyzeAll(
  agg: Aggregator,
  ref: ReferenceData,
  policy: Policy,
  tracebacks: TracebackHistory | null,
  /** called once a customer is scored, with how many are: where a caller may collect garbage */
  scored?: (customers: number) => void,
): { findings: Finding[]; offNet: OffNetTotals; unregistered: string[]; mostlyOnNet: OnNetShare[] } {
  const findings: Finding[] = [];
  const offNet: OffNetTotals = { on_net_calls: 0, emergency_calls: 0 };
  const unregistered: string[] = [];
  const shares = new OnNetShares();
  let customers = 0;
  for (const view of agg.eachCustomer()) {
    const { customerId, windows } = view;
    if (!ref.customers.has(customerId)) unregistered.push(customerId);
    for (const w of windows) {
      offNet.on_net_calls += w.onNet;
      offNet.emergency_calls += w.emergency;
      shares.add(customerId, w);
    }
    const trunksOf = topTrunksByHour(() => view.trunkAttempts);
    for (const f of scoreCustomerWindows(customerId, windows, ref, policy, tracebacks, trunksOf))
      findings.push(f);
    scored?.(++customers);
  }
  return {
    findings: findings.sort(compareFindings),
    offNet,
    unregistered,
    mostlyOnNet: shares.mostlyOnNet(),
  };
}

/** Findings for everything an Aggregator saw, worst first. */
export function scoreAll(
  agg: Aggregator,
  ref: ReferenceData,
  policy: Policy,
  tracebacks: TracebackHistory | null,
): Finding[] {
  return analyzeAll(agg, ref, policy, tracebacks).findings;
}

/**
 * The five busiest trunks of the hours in a range, as findings show them (calls per trunk are all
 * they show of trunk windows: no need to build them). Indexed by hour once, so a customer with many
 * hours costs time in proportion to its trunk windows, not their square; and only once a finding
 * asks, since most customers of a carrier have none.
 */
function topTrunksByHour(
  trunkWindows: () => Array<{ trunkId: string; hourMs: number; attempts: number }>,
): (fromMs: number, toMs: number) => TrunkShare[] {
  let byHour: Map<number, Array<{ trunkId: string; attempts: number }>> | null = null;
  const index = () => {
    const m = new Map<number, Array<{ trunkId: string; attempts: number }>>();
    for (const t of trunkWindows()) {
      const list = m.get(t.hourMs);
      if (list) list.push(t);
      else m.set(t.hourMs, [t]);
    }
    return m;
  };
  return (fromMs, toMs) => {
    byHour ??= index();
    const calls = new Map<string, number>();
    for (let hourMs = fromMs; hourMs < toMs; hourMs += HOUR_MS)
      for (const t of byHour.get(hourMs) ?? [])
        calls.set(t.trunkId, (calls.get(t.trunkId) ?? 0) + t.attempts);
    return topTrunks(calls);
  };
}
