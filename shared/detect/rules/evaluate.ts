import { HOUR_MS } from '../../cdr/time.ts';
import { judgedTier, type TrafficProfile, type Vetting } from '../customers.ts';
import type { Reason } from '../finding.ts';
import { counted, round } from '../format.ts';
import { type EffectiveRule, effectiveRule, type Policy } from '../policy.ts';
import type { WindowAggregate } from '../window.ts';
import { type Derived, derive, type WindowContext } from './derive.ts';
import { SOFT_RULE_MODULES, type SoftRuleCode } from './index.ts';
import { type Evaluation, leavesOutProviders, MAJORITY, type RuleModule } from './rule.ts';

/** A reason that fired, with what decides its weight in the score (see score.ts). */
export interface FiredReason extends Reason {
  weight: number;
  /** how far past the threshold, 0..1 (1 = twice the threshold, or half of it for a minimum rule) */
  excess: number;
  /** how many calls it describes, 0..1 (1 = the policy's fullVolumeCalls or more) */
  volume: number;
  /**
   * its evaluation held it below its full weight (Evaluation.maxExcess: calls that look like
   * conversations, a rotation nothing proves yet); a day may report in full what its hours only held
   */
  held?: true;
}

/** The registry seen through the common module type: each rule reads its own config fields. */
const RULES = SOFT_RULE_MODULES as readonly RuleModule<SoftRuleCode>[];
/** in RULES order: the rule leaves provider customers out unless its policy entry says `providers` */
const LEAVES_OUT_PROVIDERS = RULES.map(leavesOutProviders);

/**
 * Excess of an observed value over its threshold, as a ratio: a maximum rule is fully past at twice
 * its threshold, a minimum rule at half of it (an answer rate of 10% against 25% is 2.5x too low).
 */
export function excessOf(direction: 'max' | 'min', observed: number, threshold: number): number {
  if (direction === 'max') return threshold > 0 ? Math.min(1, Math.max(0, observed / threshold - 1)) : 1;
  if (observed <= 0) return 1;
  return Math.min(1, Math.max(0, threshold / observed - 1));
}

/**
 * Every soft rule's threshold and gate for one kind of customer (traffic profile and vetting), in
 * RULES order: the same for every window of every customer of that kind, so worked out once per
 * policy and kind instead of once per rule and window (480,000 windows at 20,000 customers).
 */
const effectiveByPolicy = new WeakMap<Policy, Map<TrafficProfile, Map<Vetting, EffectiveRule[]>>>();

/**
 * The last kind asked for: scoring asks window after window of one customer, so the maps are looked
 * up once per customer rather than three times per window (it keeps that one policy from the
 * collector, where the maps above do not).
 */
let last: { policy: Policy; profile: TrafficProfile; vetting: Vetting; rules: EffectiveRule[] } | null = null;

function effectiveRules(policy: Policy, profile: TrafficProfile, vetting: Vetting): EffectiveRule[] {
  if (last !== null && last.policy === policy && last.profile === profile && last.vetting === vetting)
    return last.rules;
  let byProfile = effectiveByPolicy.get(policy);
  if (!byProfile) {
    byProfile = new Map();
    effectiveByPolicy.set(policy, byProfile);
  }
  let byVetting = byProfile.get(profile);
  if (!byVetting) {
    byVetting = new Map();
    byProfile.set(profile, byVetting);
  }
  let rules = byVetting.get(vetting);
  if (!rules) {
    rules = RULES.map((r) => effectiveRule(policy, r.code, profile, vetting, r.direction, r.ratio));
    byVetting.set(vetting, rules);
  }
  last = { policy, profile, vetting, rules };
  return rules;
}

/**
 * The calls a window needs before `rule` may judge it: the rule's volume gate, but for a textbook
 * signature on a customer's day, half of it. A signature that describes the majority of a day's calls
 * describes how the customer works, however thin its hours are: an hour at the gate whose majority
 * carries the signature is `high`, and so is a day once as many of its calls carry it (60 calls
 * presenting neighbours' caller IDs over three hours of 20), which evaluateSoftRules asks of such a day.
 */
function gateOf(rule: RuleModule, eff: EffectiveRule, day: boolean): number {
  return day && rule.signature ? eff.minAttempts * MAJORITY : eff.minAttempts;
}

/**
 * The fewest calls a day window needs before any rule may judge it (the smallest volume gate of the
 * rules that judge days, for this kind of customer): a day under it is not worth pooling.
 */
export function dayGate(policy: Policy, profile: TrafficProfile, vetting: Vetting): number {
  const effective = effectiveRules(policy, profile, vetting);
  let gate = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RULES.length; i++)
    if (!RULES[i].hourly && effective[i].enabled) gate = Math.min(gate, gateOf(RULES[i], effective[i], true));
  return gate;
}

function fires(rule: RuleModule, ev: Evaluation, threshold: number): boolean {
  if (rule.direction === 'min') return ev.observed < threshold;
  return rule.inclusive ? ev.observed >= threshold : ev.observed > threshold;
}

/**
 * Hours in a row (this one included) the rule has fired for the customer, when that reaches the
 * policy's sustainedHours; 0 otherwise. One hour just past a threshold can be a borderline hour;
 * the same pattern hour after hour is the customer's traffic, and is judged as fully evidenced.
 * The run's calls must also span sustainedHours - 1/2 hours or more: a school's one-hour burst from
 * 11:30 to 12:31 fills two clock hours, but it is one event, not a pattern that went on (an hour's
 * burst runs a little over its hour, so "more than an hour" was not enough).
 * A run does not ask how far past its line the reason lies. A campaign kept a little under the
 * answer-rate line hour after hour is what runs are for; a margin wide enough to let lawful traffic
 * that sits past a line go (a reminders platform answered 29-36% against a 40% line lay up to 0.38 of
 * the way to fully past) lets such campaigns go too, and a narrow one (a tenth past, tried) spared few
 * of those hours and left a surge's fan-out just past its line at `low`. So a line belongs outside
 * what lawful traffic of its profile does hour after hour, as REPEAT_CALLS' and LOW_ASR's
 * notifications lines are (their modules say why); where lawful and abusive traffic share a range (a
 * dialer's answering-machine hang-ups), no line or margin tells them apart, and the README says so.
 */
function sustainedHours(rule: RuleModule, w: WindowAggregate, ctx: WindowContext, policy: Policy): number {
  const need = policy.severity.sustainedHours;
  if (need < 2 || rule.aboutCustomer) return 0;
  const prior = ctx.priorStreak?.get(rule.code);
  const running = 1 + (prior?.hours ?? 0);
  if (running < need) return 0;
  return w.lastMs - (prior?.fromMs ?? w.firstMs) >= (need - 0.5) * HOUR_MS ? running : 0;
}

/** The reason's sentence, with how long the pattern ran: hours in a row, or the hours a day window pools. */
/**
 * The most active hours a day window's calls are spread over when its reasons are weighed: 80 hang-ups
 * an hour around the clock (1,500 of them, every hour under the hourly gates) weighed per hour of 24
 * was `medium`, and opened no case.
 */
const DAY_VOLUME_HOURS = 8;

function detailOf(detail: string, hoursRunning: number, pooledHours: number | undefined): string {
  if (pooledHours !== undefined)
    return `${detail}; over the customer's ${counted(pooledHours, 'active hour')} of the day`;
  return hoursRunning > 0 ? `${detail}; past its threshold ${counted(hoursRunning, 'hour')} running` : detail;
}

/**
 * Runs every soft rule on a window (PSTN calls only); returns the reasons that fired. A day window
 * (ctx.pooledHours) is judged by the rules whose measure is not an hour's own.
 */
export function evaluateSoftRules(
  w: WindowAggregate,
  ctx: WindowContext,
  policy: Policy,
  /** the window's figures, when the caller derived them already (a finding's metrics read them too) */
  d: Derived = derive(w, ctx),
): FiredReason[] {
  const out: FiredReason[] = [];
  if (w.attempts === 0) return out;
  const effective = effectiveRules(policy, ctx.customer.traffic_profile, judgedTier(ctx.customer));
  const day = ctx.pooledHours !== undefined;
  for (let i = 0; i < RULES.length; i++) {
    const rule = RULES[i];
    const eff = effective[i];
    if (!eff.enabled || w.attempts < gateOf(rule, eff, day)) continue;
    if (rule.hourly && day) continue;
    const cfg = policy.rules[rule.code] as Parameters<RuleModule['evaluate']>[3];
    if (LEAVES_OUT_PROVIDERS[i] && ctx.customer.provider === true && cfg.providers !== true) continue;
    const ev = rule.evaluate(w, d, ctx, cfg, eff);
    if (!ev || ev.also === false || !fires(rule, ev, eff.threshold)) continue;
    const majority = rule.signature && (ev.share ?? 0) > MAJORITY;
    // a day whose majority a signature describes is judged by the calls carrying it (signed share x calls)
    const described = day && majority ? Math.round((ev.share ?? 0) * w.attempts) : 0;
    // under the rule's own gate, only such a day, with as many of those calls as an hour's majority
    if (w.attempts < eff.minAttempts && described < eff.minAttempts * MAJORITY) continue;
    let excess = excessOf(rule.direction, ev.observed, eff.threshold);
    if (majority) excess = 1;
    const hoursRunning = ev.sustains === false ? 0 : sustainedHours(rule, w, ctx, policy);
    if (hoursRunning > 0) excess = 1;
    excess = Math.min(excess, ev.maxExcess ?? 1);
    out.push({
      code: rule.code,
      observed: round(ev.observed, 4),
      threshold: round(eff.threshold, 4),
      detail: detailOf(ev.detail, hoursRunning, ctx.pooledHours),
      weight: eff.config.weight,
      excess,
      volume:
        described > 0
          ? // the calls a signature describes are as many whether spread over three hours or packed
            // in one: full from an hour's majority at full volume, as a signature describing the
            // majority of an hour of fullVolumeCalls is
            Math.min(1, described / (policy.severity.fullVolumeCalls * MAJORITY))
          : // a day window's reason weighs its calls per active hour, up to a working day's: a pattern
            // spread thin over a day describes fewer calls in any one of its hours than the same calls
            // in one hour would, but one kept up around the clock is no thinner for its night hours
            Math.min(
              1,
              ev.calls / (policy.severity.fullVolumeCalls * Math.min(ctx.pooledHours ?? 1, DAY_VOLUME_HOURS)),
            ),
      ...(ev.maxExcess !== undefined && ev.maxExcess < 1 ? { held: true as const } : {}),
    });
  }
  return out;
}
