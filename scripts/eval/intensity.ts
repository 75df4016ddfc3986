import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { TrafficProfile, Vetting } from '../sample/traffic.ts';

/** How hard a planted pattern breaks its rule, measured against the effective threshold for its tier and profile. */
export const INTENSITIES = ['just_past', 'twice', 'blatant'] as const;
export type Intensity = (typeof INTENSITIES)[number];

/**
 * The part of the detection policy the corpus is sized from. Read as plain JSON (not through the
 * detector's own loader) so the instrument does not move when the detector's policy code changes.
 */
const policyFile = z.object({
  vetting: z.record(z.string(), z.object({ strictness: z.number().positive() })),
  rules: z.record(
    z.string(),
    z
      .object({
        threshold: z.number(),
        minCount: z.number().optional(),
        minDistinct: z.number().optional(),
        profiles: z.record(z.string(), z.object({ threshold: z.number().optional() }).loose()).optional(),
      })
      .loose(),
  ),
});
export type PolicyThresholds = z.infer<typeof policyFile>;

export function readPolicyThresholds(path: string): PolicyThresholds {
  const parsed = policyFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The threshold a customer of this tier and profile is held to: the profile's threshold (even where the
 * profile switches the rule off, so a disabled rule shows up as a miss), times strictness for rules that
 * fire above it, divided by strictness for rules that fire below it; ratios capped at 1.
 */
export function effectiveThreshold(
  policy: PolicyThresholds,
  code: string,
  profile: TrafficProfile,
  vetting: Vetting,
  direction: 'max' | 'min',
  ratio: boolean,
): number {
  const rule = policy.rules[code];
  if (!rule) throw new Error(`policy has no rule ${code}`);
  const strictness = policy.vetting[vetting]?.strictness ?? 1;
  const base = rule.profiles?.[profile]?.threshold ?? rule.threshold;
  const t = direction === 'max' ? base * strictness : base / strictness;
  return ratio ? Math.min(t, 1) : t;
}

/**
 * The observed value planted for a share that fires above threshold t (0..1): just past is 1.2 t, twice
 * is 2 t, blatant is nine tenths of the way from t to every call; each capped so the three stay ordered
 * and below 1 when t is already high.
 */
export function plantedShareAbove(t: number, intensity: Intensity): number {
  const blatant = t + (1 - t) * 0.9;
  if (intensity === 'blatant') return blatant;
  if (intensity === 'twice') return Math.min(2 * t, t + (1 - t) * 0.7);
  return Math.min(1.2 * t, t + (1 - t) * 0.4);
}

/** For rules that fire below threshold t (answer rate, average duration): t/1.2, t/2, t/10. */
export function plantedBelow(t: number, intensity: Intensity): number {
  return intensity === 'just_past' ? t / 1.2 : intensity === 'twice' ? t / 2 : t / 10;
}

/** For counts and multiples that fire above t (distinct numbers, volume multiple): 1.2 t, 2 t, 4 t. */
export function plantedCountAbove(t: number, intensity: Intensity): number {
  return t * (intensity === 'just_past' ? 1.2 : intensity === 'twice' ? 2 : 4);
}
