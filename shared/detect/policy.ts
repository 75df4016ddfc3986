import { z } from 'zod';
import defaultPolicyJson from '../../config/policy.default.json' with { type: 'json' };
import type { TrafficProfile, Vetting } from './customers.ts';
import { SOFT_RULE_MODULES, SOFT_RULES, type SoftRuleCode } from './rules/index.ts';
import {
  type EffectiveRule as BaseEffectiveRule,
  type BaseRuleConfig,
  type RuleModule,
  ruleSchema,
} from './rules/rule.ts';

/**
 * Detection policy: thresholds per rule, overridable per traffic profile, scaled by the customer's
 * vetting tier (new entities are held to stricter limits than standard, standard than trusted).
 * Each rule's fields come from its module (rules/<CODE>.ts): the schema is derived from them.
 */
type RuleModules = (typeof SOFT_RULE_MODULES)[number];
type ConfigOf<M> = M extends RuleModule<string, infer P> ? BaseRuleConfig & z.infer<z.ZodObject<P>> : never;
/** The policy's rules section, each rule with its own fields. */
export type RulesConfig = { [M in RuleModules as M['code']]: ConfigOf<M> };
export type RuleConfig = BaseRuleConfig;
export { SOFT_RULES, type SoftRuleCode };

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
        /** a reason measured on this many calls or more carries its full weight */
        fullVolumeCalls: z.number().int().positive(),
        /**
         * a reason past its threshold in this many consecutive hours of a customer (this one included)
         * counts as fully past it: a pattern that persists is no borderline hour; 0 turns this off
         */
        sustainedHours: z.number().int().min(0),
      })
      .strict()
      .refine(
        (s) => s.medium < s.high && s.high < s.critical,
        'severity lines must rise: medium < high < critical',
      ),
    rules: z.object(Object.fromEntries(SOFT_RULE_MODULES.map((r) => [r.code, ruleSchema(r)]))).strict(),
  })
  .strict();
export type Policy = Omit<z.infer<typeof policySchema>, 'rules'> & { rules: RulesConfig };

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
  // parsed once per process: without the schema library's compiled fast path, which costs more to
  // build than one parse saves (about 6 ms of every command's start)
  const parsed = policySchema.safeParse(merged, { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data as Policy;
}

export interface EffectiveRule extends BaseEffectiveRule {
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
