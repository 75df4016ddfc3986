import { HOUR_MS } from '../cdr/time.ts';
import type { DistinctCounter } from './distinct.ts';
import type { Finding } from './finding.ts';
import type { Policy } from './policy.ts';
import { type Derived, derive, type SetsOf, type WindowContext } from './rules/derive.ts';
import { evaluateSoftRules, type FiredReason } from './rules/evaluate.ts';
import { SOFT_RULE_MODULES } from './rules/index.ts';
import { buildFinding, reasonStrength, type TrunkShare } from './score.ts';
import { addValues, type WindowAggregate, windowWith } from './window.ts';

/**
 * Day windows: a customer's hours of one UTC day judged as one window.
 *
 * Every ratio rule judges an hour only from its volume gate up (120 calls for the short-call and
 * answer-rate rules): a ratio over a dozen calls says little. A customer that never reaches the gate
 * in any hour is then never judged at all, however plain its traffic is over the day: a robocaller
 * spread over small accounts at 100 calls an hour each, or the thousands of small business customers
 * of a carrier, 20 calls an hour each. Their day is judged as a whole instead: counters added over all
 * its hours (all of them, not only the quiet ones, which would be a biased sample: a business's quiet
 * hours are its night, when few answer), each rule gated on the day's calls.
 *
 * A rule judges the day only where it fired in no hour of it: a pattern an hour showed is that hour's
 * finding already, and the day must not report it twice. A reason its hours only held below full
 * weight (night calls that look like conversations) the day reports when it weighs it in full. Rules
 * whose measure is an hour's own (volume per hour, distinct numbers in the hour, repeats within it,
 * tracebacks) never judge a day. Hard rules (Do-Not-Originate and invalid caller IDs) fire on any call
 * of an hour and are not repeated here.
 */

export const DAY_MS = 24 * HOUR_MS;

/** Start of the UTC day holding `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** A day window's sets: never read (derive reads its hours' through SetsOf), never written */
const UNREAD = undefined as unknown as DistinctCounter;

/**
 * One window holding several hours of one customer, at `startMs` (their day's start): counters,
 * duration buckets and first and last call added. Its sets stay its hours': `sets` unites them when
 * first asked (most day windows are judged from counters alone, and uniting the sets of 2,000 small
 * customers' days took a sixth of analyze's run). The window is a plain one of the same
 * shape as an hour's: getters defined in place of its sets cost 60 MB and time at 2,000 customers.
 */
export function poolHours(
  hours: readonly WindowAggregate[],
  startMs: number,
): { pool: WindowAggregate; sets: SetsOf } {
  const pool = windowWith(hours[0].customerId, '', startMs, UNREAD, UNREAD, UNREAD);
  for (const h of hours) addValues(pool, h);
  const united: Partial<Record<'calling' | 'called' | 'pairs', DistinctCounter>> = {};
  const sets: SetsOf = (key) => {
    let set = united[key];
    if (set === undefined) {
      set = hours[0][key].clone();
      for (let i = 1; i < hours.length; i++) set.merge(hours[i][key]);
      united[key] = set;
    }
    return set;
  };
  return { pool, sets };
}

/** A day judged before its hours are (see judgeDay): what fired on it, kept until the hours have spoken. */
export interface DayVerdict {
  pool: WindowAggregate;
  ctx: WindowContext;
  d: Derived;
  reasons: FiredReason[];
}

/**
 * Judges a customer's day (its hours, in time order, at least two of them) by every rule that may
 * judge a day; null when none fires. Called before the day's hours are scored: `ctx.seenCalling`
 * then still answers with the numbers of earlier days only, for the caller-ID rotation rule (the
 * day's finding reports only what its rules counted, never counting later: see buildFinding).
 */
export function judgeDay(
  hours: readonly WindowAggregate[],
  ctx: WindowContext,
  policy: Policy,
): DayVerdict | null {
  if (hours.length < 2) return null;
  const { pool, sets } = poolHours(hours, dayStart(hours[0].hourMs));
  const dayCtx: WindowContext = {
    ...ctx,
    earlierAttempts: [],
    priorStreak: undefined,
    pooledHours: hours.length,
  };
  const d = derive(pool, dayCtx, sets);
  const reasons = evaluateSoftRules(pool, dayCtx, policy, d);
  if (reasons.length === 0) return null;
  return { pool, ctx: dayCtx, d, reasons };
}

/**
 * How the day's hours reported each reason code that fired in them: 'full' when one hour weighed it in
 * full, 'held' when every hour that fired it held it below (FiredReason.held).
 */
export type FiredInHours = ReadonlyMap<string, 'full' | 'held'>;

/** Adds an hour's fired soft reasons to what the day's hours reported. */
export function noteFired(fired: Map<string, 'full' | 'held'>, reasons: readonly FiredReason[]): void {
  for (const r of reasons) if (fired.get(r.code) !== 'full') fired.set(r.code, r.held ? 'held' : 'full');
}

/**
 * The day's finding once its hours are scored: the reasons that fired in none of its hours, and those
 * its hours only held below full weight that the day weighs in full (night calls that looked like
 * conversations hour by hour, on a day spent mostly calling people outside calling hours); null when
 * none is left.
 */
export function dayFinding(
  verdict: DayVerdict,
  firedInHours: FiredInHours,
  policy: Policy,
  trunks: () => TrunkShare[],
): Finding | null {
  const reasons = verdict.reasons.filter((r) => {
    const hours = firedInHours.get(r.code);
    return hours === undefined || (hours === 'held' && r.held !== true);
  });
  if (reasons.length === 0) return null;
  const { pool, ctx, d } = verdict;
  const end = pool.hourMs + DAY_MS;
  return buildFinding(pool, ctx, d, policy, reasons, [], pool.hourMs, end, trunks(), onceEach(reasons));
}

/** rule code -> the rule whose calls it describes too (RuleModule.sameCallsAs) */
const SAME_CALLS = new Map(
  SOFT_RULE_MODULES.flatMap(
    (r): Array<[string, string]> => ('sameCallsAs' in r && r.sameCallsAs ? [[r.code, r.sameCallsAs]] : []),
  ),
);

/**
 * The reasons a day's score weighs: of two that describe the same calls (short calls, and the short
 * average duration they make), the stronger only. Hours still count both, as their scores always
 * have; on a day, where each hour's few calls weigh little, counting the one fact twice put small
 * senders of recorded messages (a school, a property manager) at `high` on short calls alone.
 */
function onceEach(reasons: FiredReason[]): FiredReason[] {
  return reasons.filter((r) => {
    const other = reasons.find((o) => SAME_CALLS.get(r.code) === o.code || SAME_CALLS.get(o.code) === r.code);
    if (!other) return true;
    const mine = reasonStrength(r);
    const theirs = reasonStrength(other);
    // the stronger stays; on a tie, the one listed first
    return mine > theirs || (mine === theirs && reasons.indexOf(r) < reasons.indexOf(other));
  });
}
