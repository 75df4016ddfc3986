import { describe, expect, it } from 'vitest';
import { buildCorpus, type Label } from '../../scripts/eval/corpus.ts';
import {
  effectiveThreshold,
  INTENSITIES,
  plantedBelow,
  plantedCountAbove,
  plantedShareAbove,
  readPolicyThresholds,
} from '../../scripts/eval/intensity.ts';
import { applies, PLANTED_CODES, spread } from '../../scripts/eval/patterns.ts';
import { type ScoredFinding, scoreFindings } from '../../scripts/eval/score.ts';

const abuse = (
  customer_id: string,
  code: 'LOW_ASR' | 'NEIGHBOR_SPOOFING',
  intensity: 'just_past' | 'blatant',
): Label => ({
  customer_id,
  kind: 'abuse',
  code,
  profile: 'dialer',
  vetting: 'standard',
  intensity,
  planted: 0.5,
  threshold: 0.1,
});
const legit = (customer_id: string): Label => ({
  customer_id,
  kind: 'legit',
  what: 'ordinary customer',
  profile: 'conversational',
  vetting: 'standard',
});
const finding = (customer_id: string, severity: string, ...codes: string[]): ScoredFinding => ({
  customer_id,
  severity,
  reasons: codes.map((code) => ({ code })),
});

const LABELS = [
  abuse('A1', 'LOW_ASR', 'just_past'),
  abuse('A2', 'NEIGHBOR_SPOOFING', 'blatant'),
  legit('L1'),
];

describe('eval scoring', () => {
  it('a perfect detector: recall and precision 1, every abusive customer at high, no legitimate one', () => {
    const score = scoreFindings(LABELS, [
      finding('A1', 'high', 'LOW_ASR'),
      finding('A2', 'critical', 'NEIGHBOR_SPOOFING'),
    ]);
    expect(score.recall).toBe(1);
    expect(score.precision).toBe(1);
    expect(score.abusive_high_share).toBe(1);
    expect(score.legit_at_high).toEqual([]);
    expect(score.misses).toEqual([]);
    expect(score.severity_matrix.just_past.high).toBe(1);
    expect(score.severity_matrix.blatant.critical).toBe(1);
  });

  it('a missed pair lowers recall and is listed with what the detector said instead', () => {
    const score = scoreFindings(LABELS, [
      finding('A1', 'medium', 'SHORT_CALL_RATIO'),
      finding('A2', 'high', 'NEIGHBOR_SPOOFING'),
    ]);
    expect(score.recall).toBe(0.5);
    expect(score.per_code.LOW_ASR.recall).toBe(0);
    expect(score.per_code.NEIGHBOR_SPOOFING.recall).toBe(1);
    expect(score.misses).toMatchObject([
      { customer_id: 'A1', code: 'LOW_ASR', got: ['SHORT_CALL_RATIO'], severity: 'medium' },
    ]);
    expect(score.abusive_high_share).toBe(0.5);
    expect(score.below_high_by_code.LOW_ASR).toEqual({
      below: 1,
      planted: 1,
      by_intensity: { just_past: 1, twice: 0, blatant: 0 },
    });
  });

  it('a pair that was not planted lowers precision; a legitimate customer at high is named', () => {
    const score = scoreFindings(LABELS, [
      finding('A1', 'high', 'LOW_ASR'),
      finding('A2', 'high', 'NEIGHBOR_SPOOFING'),
      finding('L1', 'high', 'NEIGHBOR_SPOOFING'),
    ]);
    expect(score.recall).toBe(1);
    expect(score.per_code.NEIGHBOR_SPOOFING.precision).toBe(0.5);
    expect(score.per_code.NEIGHBOR_SPOOFING.false_from).toEqual({ legit: 1 });
    expect(score.precision).toBeCloseTo(2 / 3);
    expect(score.legit_at_high).toMatchObject([
      { customer_id: 'L1', severity: 'high', codes: ['NEIGHBOR_SPOOFING'] },
    ]);
  });

  it('takes the worst severity of a customer over its hours, and counts an unflagged abuser as none', () => {
    const score = scoreFindings(LABELS, [
      finding('A1', 'low', 'LOW_ASR'),
      finding('A1', 'high', 'LOW_ASR'),
      finding('X9', 'high', 'LOW_ASR'),
    ]);
    expect(score.severity_matrix.just_past.high).toBe(1);
    expect(score.severity_matrix.blatant.none).toBe(1);
    expect(score.unlabelled_customers).toEqual([{ customer_id: 'X9', severity: 'high', codes: ['LOW_ASR'] }]);
  });
});

describe('eval corpus', () => {
  const policy = readPolicyThresholds('config/policy.default.json');

  it('plants each intensity past the effective threshold of its tier, in order', () => {
    for (const vetting of ['new', 'standard', 'trusted'] as const) {
      const t = effectiveThreshold(policy, 'NEIGHBOR_SPOOFING', 'dialer', vetting, 'max', true);
      const shares = INTENSITIES.map((i) => plantedShareAbove(t, i));
      expect(shares[0]).toBeGreaterThan(t);
      expect(shares[1]).toBeGreaterThan(shares[0]);
      expect(shares[2]).toBeGreaterThan(shares[1]);
      expect(shares[2]).toBeLessThan(1);
    }
    const asr = effectiveThreshold(policy, 'LOW_ASR', 'dialer', 'new', 'min', true);
    expect(asr).toBeCloseTo(0.12 / 0.7);
    expect(plantedBelow(asr, 'just_past')).toBeLessThan(asr);
    expect(plantedCountAbove(150, 'twice')).toBe(300);
  });

  it('spread gives an exact share, not a sampled one', () => {
    const next = spread(0.3);
    const yes = Array.from({ length: 1000 }, next).filter(Boolean).length;
    expect(yes).toBe(300);
  });

  it('labels every planted code, profile, tier and intensity where the pattern applies, plus look-alikes and a PBX', () => {
    const corpus = buildCorpus({ seed: 7, day: '2026-12-02', customers: 10, policy });
    const abusive = corpus.labels.filter((l) => l.kind === 'abuse');
    const expected = PLANTED_CODES.flatMap((code) =>
      (['conversational', 'call_center', 'notifications', 'dialer'] as const).filter((p) => applies(code, p)),
    ).length;
    const planted = abusive.filter((l) => l.kind === 'abuse' && l.what === undefined);
    expect(planted).toHaveLength(expected * 9);
    expect(new Set(planted.map((l) => l.code))).toEqual(new Set(PLANTED_CODES));
    // and a robocaller split over small accounts of every profile it passes as and every tier, each hour
    // under the tier's gate for the answer-rate rule (120 calls x strictness)
    const split = abusive.flatMap((l) =>
      l.kind === 'abuse' && l.what ? [[l.profile, l.vetting, l.what]] : [],
    );
    expect(split).toHaveLength(9);
    expect(split.map(([, vetting, what]) => [vetting, /\((\d+) calls an hour/.exec(what)?.[1]])).toEqual(
      expect.arrayContaining([
        ['new', '67'],
        ['standard', '96'],
        ['trusted', '124'],
      ]),
    );
    expect(corpus.labels.filter((l) => l.kind === 'legit').length).toBeGreaterThan(10 + 15);
    expect(corpus.labels.some((l) => l.customer_id === 'PBX01')).toBe(true);
    expect(corpus.tracebacks.length).toBeGreaterThan(0);
  });
});
