import { z } from 'zod';
import defaultPolicyJson from '../../config/policy.default.json' with { type: 'json' };
import { PROFILES, type TrafficProfile, type Vetting } from './customers.ts';

/**
 * Detection policy: thresholds per rule, overridable per traffic profile, scaled by the customer's
 * vetting tier (new entities are held to stricter limits than standard, standard than trusted).
 */
const profileOverride = z
  .object({ threshold: z.number().nonnegative().optional(), enabled: z.boolean().optional() })
  .strict();

const ruleConfig = z
  .object({
    threshold: z.number().nonnegative(),
    minAttempts: z.number().int().nonnegative(),
    weight: z.number().min(0).max(100),
    enabled: z.boolean().default(true),
    minCount: z.number().int().nonnegative().optional(),
    minHistoryHours: z.number().int().positive().optional(),
    minDistinctShare: z.number().min(0).max(1).optional(),
    maxCallsPerNumber: z.number().positive().optional(),
    minNewShare: z.number().min(0).max(1).optional(),
    windowDays: z.number().positive().optional(),
    profiles: z.partialRecord(z.enum(PROFILES), profileOverride).default({}),
  })
  .strict();
export type RuleConfig = z.infer<typeof ruleConfig>;

export const SOFT_RULES = [
  'SHORT_CALL_RATIO',
  'LOW_ASR',
  'LOW_ACD',
  'REJECTION_RATIO',
  'VOLUME_SPIKE',
  'HIGH_FANOUT',
  'ANI_ROTATION',
  'NEIGHBOR_SPOOFING',
  'CALLING_EQUALS_CALLED',
  'FICTITIOUS_CALLING_NUMBER',
  'UNSIGNED_OR_GATEWAY_ATTESTATION',
  'ATTESTATION_MISMATCH',
  'OUTSIDE_CALLING_HOURS',
  'REPEAT_CALLS',
  'TRACEBACK_HISTORY',
] as const;
export type SoftRuleCode = (typeof SOFT_RULES)[number];

const tier = z.object({ strictness: z.number().positive().max(10) }).strict();

export const policySchema = z
  .object({
    $comment: z.string().optional(),
    vetting: z.object({ new: tier, standard: tier, trusted: tier }).strict(),
    severity: z
      .object({
        medium: z.number().min(0).max(100),
        high: z.number().min(0).max(100),
        critical: z.number().min(0).max(100),
      })
      .strict()
      .refine(
        (s) => s.medium < s.high && s.high < s.critical,
        'severity lines must rise: medium < high < critical',
      ),
    rules: z
      .object(
        Object.fromEntries(SOFT_RULES.map((c) => [c, ruleConfig])) as Record<SoftRuleCode, typeof ruleConfig>,
      )
      .strict(),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

export class PolicyError extends Error {
  override name = 'PolicyError';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The shipped default policy, optionally overlaid with a user's (partial) policy document. */
export function loadPolicy(override?: unknown, source = 'policy'): Policy {
  const merged = override === undefined ? defaultPolicyJson : deepMerge(defaultPolicyJson, override);
  const parsed = policySchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface EffectiveRule {
  enabled: boolean;
  threshold: number;
  minAttempts: number;
  config: RuleConfig;
}

/** A rule's threshold and volume gate for one customer, after profile override and vetting strictness. */
export function effectiveRule(
  policy: Policy,
  code: SoftRuleCode,
  profile: TrafficProfile,
  vetting: Vetting,
  direction: 'max' | 'min',
  ratio: boolean,
): EffectiveRule {
  const cfg = policy.rules[code];
  const over = cfg.profiles[profile];
  const strictness = policy.vetting[vetting].strictness;
  const base = over?.threshold ?? cfg.threshold;
  let threshold = direction === 'max' ? base * strictness : base / strictness;
  if (ratio) threshold = Math.min(threshold, 1);
  return {
    enabled: cfg.enabled && (over?.enabled ?? true),
    threshold,
    minAttempts: Math.round(cfg.minAttempts * strictness),
    config: cfg,
  };
}
