import { HOUR_MS, hourStart, isoUtc } from '../cdr/time.ts';
import { type Finding, SEVERITIES, type Severity, severityRank } from './finding.ts';
import { round } from './format.ts';
import { evaluateHardRules, type HardReason } from './hard-rules.ts';
import type { Policy } from './policy.ts';
import { type Derived, type DistinctFigure, derive, type WindowContext } from './rules/derive.ts';
import { evaluateSoftRules, type FiredReason } from './rules/evaluate.ts';
import type { WindowAggregate } from './window.ts';

/**
 * Score and severity (README "Score and severity"):
 *  - a fired reason's evidence is excess x volume: excess is how far past its threshold the observed
 *    value lies (0 at the threshold, 1 at twice a maximum or half a minimum; a textbook signature that
 *    describes the majority of the hour's calls counts as 1), volume is how many calls it describes
 *    (1 from the policy's fullVolumeCalls);
 *  - its strength is s = weight x (0.4 + 0.6 x evidence): with the shipped weight of 65, a reason just
 *    past its threshold is `low` (26), half evidenced `medium`, fully evidenced `high` on its own;
 *  - reasons combine like independent evidence: score = 100 x (1 - prod(1 - s/100)), rounded down
 *    (so `high` needs the full line, not 64.6);
 *  - severity follows the policy's lines (default medium 40, high 65, critical 85), never below
 *    the floor a hard rule sets (a DNO call is at least high).
 */
export function reasonStrength(r: FiredReason): number {
  return r.weight * (0.4 + 0.6 * r.excess * r.volume);
}

export function combineScore(reasons: FiredReason[]): number {
  let keep = 1;
  for (const r of reasons) keep *= 1 - reasonStrength(r) / 100;
  // the epsilon absorbs float noise (65 x 1 must stay 65), not evidence
  return Math.floor(100 * (1 - keep) + 1e-9);
}

export function severityOf(score: number, policy: Policy): Severity {
  if (score >= policy.severity.critical) return 'critical';
  if (score >= policy.severity.high) return 'high';
  if (score >= policy.severity.medium) return 'medium';
  return 'low';
}

/** ISO text of hour starts: a run scores the same few dozen hours thousands of times. */
const hourText = new Map<number, string>();
function hourIso(ms: number): string {
  let text = hourText.get(ms);
  if (text === undefined) {
    text = isoUtc(ms);
    if (hourText.size < 10_000) hourText.set(ms, text);
  }
  return text;
}

function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export interface TrunkShare {
  trunk_id: string;
  calls: number;
}

/** How many trunks a finding names: its window's busiest. */
const TOP_TRUNKS = 5;

/** A window's busiest trunks from its calls per trunk, most calls first (ties in the map's order). */
export function topTrunks(calls: ReadonlyMap<string, number>): TrunkShare[] {
  return [...calls]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_TRUNKS)
    .map(([trunk_id, n]) => ({ trunk_id, calls: n }));
}

/** Evaluates one customer-hour window; null when no rule fires. */
export function evaluateWindow(
  w: WindowAggregate,
  ctx: WindowContext,
  policy: Policy,
  /** the hour's busiest trunks, asked for only when a finding is made */
  trunksOf: () => TrunkShare[] = () => [],
): Finding | null {
  return judgeHour(w, ctx, policy, trunksOf).finding;
}

/**
 * One customer-hour's finding (null when no rule fires) and the soft reasons it weighs: the day after
 * it reads which of them the hour weighed in full (analysis.ts).
 */
export function judgeHour(
  w: WindowAggregate,
  ctx: WindowContext,
  policy: Policy,
  trunksOf: () => TrunkShare[] = () => [],
): { finding: Finding | null; soft: FiredReason[] } {
  // derived once, for the rules and a finding's metrics alike (the new-calling share is counted at
  // most once, when first read)
  const d = derive(w, ctx);
  const soft = evaluateSoftRules(w, ctx, policy, d);
  const hard = evaluateHardRules(w, ctx.customer);
  if (soft.length === 0 && hard.length === 0) return { finding: null, soft };
  const start = hourStart(w.hourMs);
  return { finding: buildFinding(w, ctx, d, policy, soft, hard, start, start + HOUR_MS, trunksOf()), soft };
}

/**
 * A finding's distinct counts: every one for an hour; for a day window, those its rules counted
 * (uniting the sets of every hour of thousands of small customers' days to report them cost more
 * than scoring their hours). Each that is a HyperLogLog estimate has `<metric>_estimated: true`
 * beside it; a count has no such field.
 */
function distinctMetrics(d: Derived, f: ReturnType<Derived['counted']>) {
  const marked = (figure: DistinctFigure, metric: string): Record<string, true> =>
    d.estimated(figure) ? { [`${metric}_estimated`]: true } : {};
  return {
    ...(f.distinctCalling === undefined
      ? {}
      : { distinct_calling: f.distinctCalling, ...marked('distinctCalling', 'distinct_calling') }),
    ...(f.distinctCalled === undefined
      ? {}
      : { distinct_called: f.distinctCalled, ...marked('distinctCalled', 'distinct_called') }),
    ...(f.newCallingShare == null
      ? {}
      : {
          new_calling_share: round(f.newCallingShare, 4),
          ...marked('newCallingShare', 'new_calling_share'),
        }),
  };
}

/** The finding for a window [startMs, endMs) on which these reasons fired (at least one). */
export function buildFinding(
  w: WindowAggregate,
  ctx: WindowContext,
  d: Derived,
  policy: Policy,
  soft: FiredReason[],
  hard: HardReason[],
  startMs: number,
  endMs: number,
  trunks: TrunkShare[],
  /** the reasons the score weighs, when not all of them (a day's reasons about the same calls count once) */
  scored: FiredReason[] = [...hard, ...soft],
): Finding {
  const reasons: FiredReason[] = [...hard, ...soft];
  const score = combineScore(scored);
  let severity = severityOf(score, policy);
  for (const h of hard) severity = maxSeverity(severity, h.minSeverity);
  return {
    customer_id: w.customerId,
    window_start: hourIso(startMs),
    window_end: hourIso(endMs),
    severity,
    score: Math.max(
      score,
      SEVERITIES.indexOf(severity) > 0 ? policy.severity[severity as 'medium' | 'high' | 'critical'] : 0,
    ),
    reasons: reasons.map(({ code, observed, threshold, detail }) => ({ code, observed, threshold, detail })),
    metrics: {
      calls: w.attempts,
      answered: w.answered,
      asr: round(d.asr, 4),
      acd_s: round(d.acd, 1),
      short_calls: w.shortAnswered,
      ...distinctMetrics(d, ctx.pooledHours === undefined ? d : d.counted()),
      attestation_a: w.attA,
      attestation_b: w.attB,
      attestation_c: w.attC,
      unsigned: w.attNone,
      ...(w.attUnreported > 0 ? { attestation_unreported: w.attUnreported } : {}),
      dno_calls: w.callingDno,
      invalid_calling: w.callingInvalid,
      outside_hours: w.outsideHours,
      ...(w.outsideStateHours > w.outsideHours ? { outside_state_hours: w.outsideStateHours } : {}),
      ...(w.onNet > 0 ? { on_net_calls: w.onNet } : {}),
      ...(w.emergency > 0 ? { emergency_calls: w.emergency } : {}),
      vetting: ctx.customer.vetting,
      // judged on new customers' thresholds: say why, so the finding explains its stricter lines
      ...(ctx.customer.status === 'warned' ? { status: 'warned' as const } : {}),
      traffic_profile: ctx.customer.traffic_profile,
      ...(ctx.pooledHours === undefined ? {} : { active_hours: ctx.pooledHours }),
      ...(trunks.length ? { trunks: trunks.map((t) => ({ trunk_id: t.trunk_id, calls: t.calls })) } : {}),
    },
  };
}
