import type { Label } from './corpus.ts';
import type { Intensity } from './intensity.ts';
import { INTENSITIES } from './intensity.ts';

/** What the scorer needs of a finding: whose, how severe, and which reason codes it gives. */
export interface ScoredFinding {
  customer_id: string;
  severity: string;
  reasons: ReadonlyArray<{ code: string }>;
}

export const SEVERITY_COLUMNS = ['none', 'low', 'medium', 'high', 'critical'] as const;
type SeverityColumn = (typeof SEVERITY_COLUMNS)[number];
const rank = (s: string) => Math.max(0, SEVERITY_COLUMNS.indexOf(s as SeverityColumn));

export interface CodeScore {
  planted: number;
  detected: number;
  /** (customer, code) pairs the detector gave that were not planted, on abusive or legitimate customers */
  false_pairs: number;
  /** where the false pairs came from: the planted code of the abusive customer, or `legit` */
  false_from: Record<string, number>;
  recall: number | null;
  precision: number | null;
}

export interface Miss {
  customer_id: string;
  code: string;
  profile: string;
  vetting: string;
  intensity: Intensity;
  planted: number;
  threshold: number;
  /** codes the detector gave this customer instead */
  got: string[];
  severity: SeverityColumn;
}

export interface EvalScore {
  recall: number;
  precision: number;
  per_code: Record<string, CodeScore>;
  abusive_customers: number;
  abusive_at_high: number;
  abusive_high_share: number;
  legit_customers: number;
  legit_at_high: Array<{ customer_id: string; what: string; severity: string; codes: string[] }>;
  /** findings on customer ids the corpus did not label (e.g. a channel peer name taken as the customer) */
  unlabelled_customers: Array<{ customer_id: string; severity: string; codes: string[] }>;
  /** planted intensity -> worst severity the customer reached -> customers */
  severity_matrix: Record<Intensity, Record<SeverityColumn, number>>;
  misses: Miss[];
  /** abusive customers the corpus describes beyond their planted code, per description: how many reach `high` */
  abusive_by_what: Record<string, { customers: number; at_high: number }>;
  /** abusive customers below `high`, per planted code: how many, out of how many planted */
  below_high_by_code: Record<
    string,
    { below: number; planted: number; by_intensity: Record<Intensity, number> }
  >;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Scores findings against the labels over (customer, reason code) pairs and per customer's worst severity. */
export function scoreFindings(labels: readonly Label[], findings: readonly ScoredFinding[]): EvalScore {
  const codesOf = new Map<string, Set<string>>();
  const worst = new Map<string, SeverityColumn>();
  for (const f of findings) {
    const codes = codesOf.get(f.customer_id) ?? new Set<string>();
    for (const r of f.reasons) codes.add(r.code);
    codesOf.set(f.customer_id, codes);
    if (rank(f.severity) > rank(worst.get(f.customer_id) ?? 'none'))
      worst.set(f.customer_id, f.severity as SeverityColumn);
  }
  const labelOf = new Map(labels.map((l) => [l.customer_id, l]));
  const perCode: Record<string, CodeScore> = {};
  const codeScore = (code: string) => {
    perCode[code] ??= {
      planted: 0,
      detected: 0,
      false_pairs: 0,
      false_from: {},
      recall: null,
      precision: null,
    };
    return perCode[code];
  };
  const countFalse = (code: string, from: string) => {
    const score = codeScore(code);
    score.false_pairs++;
    score.false_from[from] = (score.false_from[from] ?? 0) + 1;
  };
  const matrix = Object.fromEntries(
    INTENSITIES.map((i) => [i, Object.fromEntries(SEVERITY_COLUMNS.map((s) => [s, 0]))]),
  ) as EvalScore['severity_matrix'];
  const misses: Miss[] = [];
  let abusive = 0;
  let abusiveHigh = 0;
  const legitHigh: EvalScore['legit_at_high'] = [];
  const belowHigh: EvalScore['below_high_by_code'] = {};
  const byWhat: EvalScore['abusive_by_what'] = {};

  for (const label of labels) {
    const got = codesOf.get(label.customer_id) ?? new Set<string>();
    const severity = worst.get(label.customer_id) ?? 'none';
    if (label.kind === 'abuse') {
      abusive++;
      belowHigh[label.code] ??= {
        below: 0,
        planted: 0,
        by_intensity: { just_past: 0, twice: 0, blatant: 0 },
      };
      const byCode = belowHigh[label.code];
      byCode.planted++;
      if (label.what) {
        byWhat[label.what] ??= { customers: 0, at_high: 0 };
        byWhat[label.what].customers++;
        if (rank(severity) >= rank('high')) byWhat[label.what].at_high++;
      }
      if (rank(severity) >= rank('high')) abusiveHigh++;
      else {
        byCode.below++;
        byCode.by_intensity[label.intensity]++;
      }
      matrix[label.intensity][severity]++;
      const score = codeScore(label.code);
      score.planted++;
      if (got.has(label.code)) score.detected++;
      else
        misses.push({
          customer_id: label.customer_id,
          code: label.code,
          profile: label.profile,
          vetting: label.vetting,
          intensity: label.intensity,
          planted: label.planted,
          threshold: label.threshold,
          got: [...got].sort(),
          severity,
        });
      for (const code of got) if (code !== label.code) countFalse(code, label.code);
    } else {
      for (const code of got) countFalse(code, 'legit');
      if (rank(severity) >= rank('high')) {
        legitHigh.push({
          customer_id: label.customer_id,
          what: label.what,
          severity,
          codes: [...got].sort(),
        });
      }
    }
  }
  let planted = 0;
  let detected = 0;
  let falsePairs = 0;
  for (const score of Object.values(perCode)) {
    score.recall = ratio(score.detected, score.planted);
    score.precision = ratio(score.detected, score.detected + score.false_pairs);
    planted += score.planted;
    detected += score.detected;
    falsePairs += score.false_pairs;
  }
  return {
    recall: ratio(detected, planted) ?? 1,
    precision: ratio(detected, detected + falsePairs) ?? 1,
    per_code: Object.fromEntries(Object.entries(perCode).sort(([a], [b]) => a.localeCompare(b))),
    abusive_customers: abusive,
    abusive_at_high: abusiveHigh,
    abusive_high_share: ratio(abusiveHigh, abusive) ?? 1,
    legit_customers: labels.length - abusive,
    legit_at_high: legitHigh,
    unlabelled_customers: [...codesOf.keys()]
      .filter((id) => !labelOf.has(id))
      .sort()
      .map((id) => ({
        customer_id: id,
        severity: worst.get(id) ?? 'none',
        codes: [...(codesOf.get(id) ?? [])].sort(),
      })),
    severity_matrix: matrix,
    misses,
    abusive_by_what: byWhat,
    below_high_by_code: Object.fromEntries(Object.entries(belowHigh).sort(([a], [b]) => a.localeCompare(b))),
  };
}
