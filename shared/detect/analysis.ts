import { HOUR_MS } from '../cdr/time.ts';
import type { Aggregator } from './aggregator.ts';
import { unknownCustomer } from './customers.ts';
import type { DistinctCounter } from './distinct.ts';
import { compareFindings, type Finding } from './finding.ts';
import type { Policy } from './policy.ts';
import type { ReferenceData } from './reference.ts';
import type { WindowContext } from './rules/derive.ts';
import { evaluateWindow, type TrunkShare } from './score.ts';
import type { TracebackHistory } from './traceback-history.ts';
import type { WindowAggregate } from './window.ts';

/** Earlier active hours a spike is compared with. */
const BASELINE_HOURS = 24;

/**
 * Scores every window of one customer in time order, so each window is judged against the
 * customer's own earlier hours (volume baseline, calling numbers seen before).
 */
export function scoreCustomerWindows(
  customerId: string,
  windows: WindowAggregate[],
  ref: ReferenceData,
  policy: Policy,
  tracebacks: TracebackHistory | null,
  trunksOf: (hourMs: number) => TrunkShare[] = () => [],
): Finding[] {
  const customer = ref.customers.get(customerId) ?? unknownCustomer(customerId);
  const sorted = [...windows].sort((a, b) => a.hourMs - b.hourMs);
  const findings: Finding[] = [];
  const seen = new EarlierCalling(sorted);
  const days = policy.rules.TRACEBACK_HISTORY.windowDays;
  // reason code -> hours in a row it has fired, up to the previous window's hour
  let streak: ReadonlyMap<string, number> = NO_STREAK;
  let streakHourMs = Number.NaN;
  for (let i = 0; i < sorted.length; i++) {
    const w = sorted[i];
    const earlierAttempts: number[] = [];
    for (let j = Math.max(0, i - BASELINE_HOURS); j < i; j++)
      if (sorted[j].hourMs >= w.hourMs - BASELINE_HOURS * HOUR_MS) earlierAttempts.push(sorted[j].attempts);
    const ctx: WindowContext = {
      customer,
      earlierAttempts,
      seenCalling: i === 0 ? null : () => seen.before(i),
      tracebacks: tracebacks ? tracebacks.countBefore(customerId, w.hourMs + HOUR_MS, days) : 0,
      // a streak runs through consecutive clock hours only: a quiet or missing hour ends it
      priorStreak: streakHourMs === w.hourMs - HOUR_MS ? streak : undefined,
    };
    const f = evaluateWindow(w, ctx, policy, () => trunksOf(w.hourMs));
    if (f) findings.push(f);
    streak = nextStreak(ctx.priorStreak, f);
    streakHourMs = w.hourMs;
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
const NO_STREAK: ReadonlyMap<string, number> = new Map();

function nextStreak(
  prior: ReadonlyMap<string, number> | undefined,
  f: Finding | null,
): ReadonlyMap<string, number> {
  if (f === null) return NO_STREAK;
  const next = new Map<string, number>();
  for (const r of f.reasons) next.set(r.code, 1 + (prior?.get(r.code) ?? 0));
  return next;
}

/** Calls that never reached the PSTN, for the findings summary: they are counted, not judged. */
export interface OffNetTotals {
  on_net_calls: number;
  emergency_calls: number;
}

/**
 * Findings for everything an Aggregator saw, worst first, and its off-net totals: one pass, customer
 * by customer, so customers the aggregator holds only as imported numbers are built once and one at
 * a time.
 */
export function analyzeAll(
  agg: Aggregator,
  ref: ReferenceData,
  policy: Policy,
  tracebacks: TracebackHistory | null,
): { findings: Finding[]; offNet: OffNetTotals } {
  const findings: Finding[] = [];
  const offNet: OffNetTotals = { on_net_calls: 0, emergency_calls: 0 };
  for (const view of agg.eachCustomer()) {
    const { customerId, windows } = view;
    for (const w of windows) {
      offNet.on_net_calls += w.onNet;
      offNet.emergency_calls += w.emergency;
    }
    const trunksOf = topTrunksByHour(() => view.trunkAttempts);
    for (const f of scoreCustomerWindows(customerId, windows, ref, policy, tracebacks, trunksOf))
      findings.push(f);
  }
  return { findings: findings.sort(compareFindings), offNet };
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
 * The five busiest trunks of each hour, as findings show them (calls per trunk are all they show of
 * trunk windows: no need to build them). Indexed by hour once, so a customer with many hours costs
 * time in proportion to its trunk windows, not their square; and only once a finding asks, since
 * most customers of a carrier have none.
 */
function topTrunksByHour(
  trunkWindows: () => Array<{ trunkId: string; hourMs: number; attempts: number }>,
): (hourMs: number) => TrunkShare[] {
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
  return (hourMs) => {
    byHour ??= index();
    return (byHour.get(hourMs) ?? [])
      .sort((a, b) => b.attempts - a.attempts)
      .slice(0, 5)
      .map((t) => ({ trunk_id: t.trunkId, calls: t.attempts }));
  };
}
