import type { Customer } from './customers.ts';
import type { DistinctCounter } from './distinct.ts';
import type { Reason } from './finding.ts';
import { int, pct, round } from './format.ts';
import { effectiveRule, type Policy, type SoftRuleCode } from './policy.ts';
import type { WindowAggregate } from './window.ts';

/** What scoring knows beyond the window itself: who the customer is and what it did before. */
export interface WindowContext {
  customer: Customer;
  /** attempts in the customer's earlier active hours (most recent last), for VOLUME_SPIKE */
  earlierAttempts: number[];
  /** calling numbers the customer used in earlier hours; null when there is no history */
  seenCalling: DistinctCounter | null;
  /** tracebacks that named this customer within the policy's window */
  tracebacks: number;
}

export interface Derived {
  attempts: number;
  answered: number;
  asr: number;
  acd: number;
  shortRatio: number;
  rejected: number;
  distinctCalling: number;
  distinctCalled: number;
  newCallingShare: number | null;
  repeatShare: number;
}

export function derive(w: WindowAggregate, ctx: WindowContext): Derived {
  const distinctCalling = w.calling.count();
  const newCalling = ctx.seenCalling ? w.calling.countNotIn(ctx.seenCalling) : null;
  const distinctPairs = w.pairs.count();
  const withCaller = w.attempts - w.callingBlank;
  return {
    attempts: w.attempts,
    answered: w.answered,
    asr: w.attempts ? w.answered / w.attempts : 0,
    acd: w.answered ? w.durationSum / w.answered : 0,
    shortRatio: w.answered ? w.shortAnswered / w.answered : 0,
    rejected: w.rej403 + w.rej603 + w.rej607 + w.rej608,
    distinctCalling,
    distinctCalled: w.called.count(),
    newCallingShare: newCalling === null || distinctCalling === 0 ? null : newCalling / distinctCalling,
    repeatShare: withCaller > 0 ? Math.max(0, withCaller - distinctPairs) / withCaller : 0,
  };
}

interface Evaluation {
  /** the value compared with the threshold */
  observed: number;
  /** extra condition beyond observed vs threshold (e.g. minimum count) */
  also?: boolean;
  detail: string;
}

interface SoftRule {
  code: SoftRuleCode;
  direction: 'max' | 'min';
  ratio: boolean;
  evaluate(w: WindowAggregate, d: Derived, ctx: WindowContext, policy: Policy): Evaluation | null;
}

const RULES: SoftRule[] = [
  {
    code: 'SHORT_CALL_RATIO',
    direction: 'max',
    ratio: true,
    evaluate: (w, d) =>
      w.answered === 0
        ? null
        : {
            observed: d.shortRatio,
            detail: `${pct(d.shortRatio)} of ${int(w.answered)} answered calls lasted under 6 s`,
          },
  },
  {
    code: 'LOW_ASR',
    direction: 'min',
    ratio: true,
    evaluate: (w, d) => ({
      observed: d.asr,
      detail: `only ${pct(d.asr)} of ${int(w.attempts)} call attempts were answered`,
    }),
  },
  {
    code: 'LOW_ACD',
    direction: 'min',
    ratio: false,
    evaluate: (w, d) =>
      w.answered < 30
        ? null
        : {
            observed: d.acd,
            detail: `answered calls averaged ${round(d.acd, 1)} s (${int(w.answered)} answered)`,
          },
  },
  {
    code: 'REJECTION_RATIO',
    direction: 'max',
    ratio: true,
    evaluate: (w, d) => {
      const r = d.rejected / w.attempts;
      return {
        observed: r,
        detail: `${pct(r)} of ${int(w.attempts)} attempts were rejected as unwanted or blocked (403: ${int(w.rej403)}, 603: ${int(w.rej603)}, 607: ${int(w.rej607)}, 608: ${int(w.rej608)})`,
      };
    },
  },
  {
    code: 'VOLUME_SPIKE',
    direction: 'max',
    ratio: false,
    evaluate: (w, _d, ctx, policy) => {
      const need = policy.rules.VOLUME_SPIKE.minHistoryHours ?? 3;
      if (ctx.earlierAttempts.length < need) return null;
      const sorted = [...ctx.earlierAttempts].sort((a, b) => a - b);
      const median = Math.max(1, sorted[Math.floor(sorted.length / 2)]);
      const r = w.attempts / median;
      return {
        observed: r,
        detail: `${int(w.attempts)} attempts this hour, ${round(r, 1)}x the customer's median of ${int(median)} over its previous ${sorted.length} active hours`,
      };
    },
  },
  {
    code: 'HIGH_FANOUT',
    direction: 'max',
    ratio: false,
    evaluate: (w, d, _ctx, policy) => {
      const share = d.distinctCalled / w.attempts;
      return {
        observed: d.distinctCalled,
        also: share >= (policy.rules.HIGH_FANOUT.minDistinctShare ?? 0.8),
        detail: `${int(d.distinctCalled)} distinct called numbers in one hour (${pct(share)} of ${int(w.attempts)} attempts went to a number not called before in the hour)`,
      };
    },
  },
  {
    code: 'ANI_ROTATION',
    direction: 'max',
    ratio: false,
    evaluate: (w, d, _ctx, policy) => {
      const cfg = policy.rules.ANI_ROTATION;
      if (d.distinctCalling === 0) return null;
      const perNumber = (w.attempts - w.callingBlank) / d.distinctCalling;
      const fresh = d.newCallingShare;
      const freshOk = fresh === null || fresh >= (cfg.minNewShare ?? 0.5);
      const freshText =
        fresh === null ? 'no earlier history' : `${pct(fresh)} never used by this customer before`;
      return {
        observed: d.distinctCalling,
        also: perNumber <= (cfg.maxCallsPerNumber ?? 3) && freshOk,
        detail: `${int(d.distinctCalling)} distinct caller IDs in one hour, ${round(perNumber, 1)} calls each (${freshText})`,
      };
    },
  },
  {
    code: 'NEIGHBOR_SPOOFING',
    direction: 'max',
    ratio: true,
    evaluate: (w) => {
      const r = w.neighborNpaNxx / w.attempts;
      return {
        observed: r,
        detail: `${pct(r)} of ${int(w.attempts)} calls showed a caller ID in the called party's own NPA-NXX (${int(w.neighborNpaNxx)} calls)`,
      };
    },
  },
  {
    code: 'CALLING_EQUALS_CALLED',
    direction: 'max',
    ratio: true,
    evaluate: (w, _d, _ctx, policy) => {
      const r = w.callingEqualsCalled / w.attempts;
      return {
        observed: r,
        also: w.callingEqualsCalled >= (policy.rules.CALLING_EQUALS_CALLED.minCount ?? 1),
        detail: `${int(w.callingEqualsCalled)} calls (${pct(r)}) presented the called party's own number as caller ID`,
      };
    },
  },
  {
    code: 'FICTITIOUS_CALLING_NUMBER',
    direction: 'max',
    ratio: true,
    evaluate: (w) => {
      const r = w.callingFictitious / w.attempts;
      return {
        observed: r,
        detail: `${int(w.callingFictitious)} calls (${pct(r)}) used reserved fictitious caller IDs (555-01XX, 555-1212)`,
      };
    },
  },
  {
    code: 'UNSIGNED_OR_GATEWAY_ATTESTATION',
    direction: 'max',
    ratio: true,
    evaluate: (w, _d, ctx, policy) => {
      // only calls whose source reports attestation say anything about signing
      const reported = w.attempts - w.attUnreported;
      const gate = effectiveRule(
        policy,
        'UNSIGNED_OR_GATEWAY_ATTESTATION',
        ctx.customer.traffic_profile,
        ctx.customer.vetting,
        'max',
        true,
      ).minAttempts;
      if (reported === 0 || reported < gate) return null;
      const r = (w.attC + w.attNone) / reported;
      return {
        observed: r,
        detail: `${pct(r)} of ${int(reported)} calls that carried attestation were unsigned (${int(w.attNone)}) or gateway C-attested (${int(w.attC)}); A: ${int(w.attA)}, B: ${int(w.attB)}`,
      };
    },
  },
  {
    code: 'ATTESTATION_MISMATCH',
    direction: 'max',
    ratio: true,
    evaluate: (w, _d, _ctx, policy) => {
      if (w.aChecked === 0) return null;
      const r = w.aOutsideInventory / w.aChecked;
      return {
        observed: r,
        also: w.aOutsideInventory >= (policy.rules.ATTESTATION_MISMATCH.minCount ?? 1),
        detail: `${int(w.aOutsideInventory)} of ${int(w.aChecked)} A-attested calls (${pct(r)}) used caller IDs outside the customer's number inventory`,
      };
    },
  },
  {
    code: 'OUTSIDE_CALLING_HOURS',
    direction: 'max',
    ratio: true,
    evaluate: (w) => {
      if (w.hoursKnown === 0) return null;
      const r = w.outsideHours / w.hoursKnown;
      return {
        observed: r,
        detail: `${pct(r)} of ${int(w.hoursKnown)} calls reached the called party before 8:00 or after 21:00 local time`,
      };
    },
  },
  {
    code: 'REPEAT_CALLS',
    direction: 'max',
    ratio: true,
    evaluate: (w, d) => ({
      observed: d.repeatShare,
      detail: `${pct(d.repeatShare)} of calls repeated a (caller, called) pair already seen in the hour (${int(d.distinctCalled)} called numbers, ${int(w.attempts)} attempts)`,
    }),
  },
  {
    code: 'TRACEBACK_HISTORY',
    direction: 'max',
    ratio: false,
    evaluate: (_w, _d, ctx, policy) =>
      ctx.tracebacks === 0
        ? null
        : {
            observed: ctx.tracebacks,
            detail: `${int(ctx.tracebacks)} industry traceback(s) named this customer in the last ${policy.rules.TRACEBACK_HISTORY.windowDays ?? 30} days`,
          },
  },
];

export interface FiredReason extends Reason {
  weight: number;
  /** how far past the threshold, 0..1 (1 = twice as far or more) */
  excess: number;
}

/** Runs every soft rule on a window; returns the reasons that fired. */
export function evaluateSoftRules(w: WindowAggregate, ctx: WindowContext, policy: Policy): FiredReason[] {
  const d = derive(w, ctx);
  const out: FiredReason[] = [];
  for (const rule of RULES) {
    const eff = effectiveRule(
      policy,
      rule.code,
      ctx.customer.traffic_profile,
      ctx.customer.vetting,
      rule.direction,
      rule.ratio,
    );
    // traceback history is a fact about the customer, not a sample; every other rule needs volume
    if (!eff.enabled || w.attempts < eff.minAttempts || w.attempts === 0) continue;
    const ev = rule.evaluate(w, d, ctx, policy);
    if (!ev || ev.also === false) continue;
    const t = eff.threshold;
    const fires =
      rule.direction === 'max'
        ? ev.observed > t || (rule.code === 'TRACEBACK_HISTORY' && ev.observed >= t)
        : ev.observed < t;
    if (!fires) continue;
    const excess =
      rule.direction === 'max'
        ? t > 0
          ? Math.min(1, (ev.observed - t) / t)
          : 1
        : t > 0
          ? Math.min(1, (t - ev.observed) / t)
          : 1;
    out.push({
      code: rule.code,
      observed: round(ev.observed, 4),
      threshold: round(t, 4),
      detail: ev.detail,
      weight: eff.config.weight,
      excess,
    });
  }
  return out;
}
