import { z } from 'zod';
import { PROFILES } from '../customers.ts';
import type { WindowAggregate } from '../window.ts';
import type { Derived, WindowContext } from './derive.ts';

/**
 * What every soft rule is made of. A rule module (`rules/<CODE>.ts`) declares its code, its default
 * thresholds and per-profile overrides, its own parameters (as zod fields, so the policy schema is
 * derived from the modules), and an evaluation that says what it observed, on how many calls, and
 * in a sentence an analyst can check against the CDRs.
 */

const profileOverride = z
  .object({ threshold: z.number().nonnegative().optional(), enabled: z.boolean().optional() })
  .strict();

/** Fields every rule has in the policy. */
export const baseRuleFields = {
  threshold: z.number().nonnegative(),
  minAttempts: z.number().int().nonnegative(),
  weight: z.number().min(0).max(100),
  enabled: z.boolean().default(true),
  profiles: z.partialRecord(z.enum(PROFILES), profileOverride).default({}),
};
const baseRuleConfig = z.object(baseRuleFields).strict();

/**
 * The parameter of a rule whose measure a provider customer (registry `provider`) shows by the nature
 * of its traffic: it hands on other providers' and its own customers' calls, so their caller IDs are
 * fresh to it, its fan-out grows with its volume, it must pass on what others signed, and its calls
 * at night are others' solicitation, not its own. A rule with this parameter leaves provider
 * customers out unless the policy sets it to true (evaluateSoftRules checks it once for every such
 * rule; the README table says so from leavesOutProviders).
 */
export const providersParam = { providers: z.boolean() };

/** The rule judges provider customers only when the policy's `providers` says so. */
export function leavesOutProviders(rule: RuleModule): boolean {
  return Object.hasOwn(rule.params, 'providers');
}
export type BaseRuleConfig = z.infer<typeof baseRuleConfig>;

/**
 * More than this share of a window's calls is "the majority" a textbook signature needs to count as
 * fully past its threshold (evaluate.ts), and a customer's day needs to be judged by the calls its
 * signature describes rather than per active hour.
 */
export const MAJORITY = 0.5;

/** A rule's threshold and volume gate for one customer, after profile override and vetting strictness. */
export interface EffectiveRule {
  enabled: boolean;
  threshold: number;
  minAttempts: number;
}

export interface Evaluation {
  /** the value compared with the threshold */
  observed: number;
  /** extra condition beyond observed vs threshold (e.g. a minimum count); false keeps the rule quiet */
  also?: boolean;
  /** calls the observed value is measured on: the reason's sample, which decides its volume */
  calls: number;
  /** share of the hour's calls the reason describes (for textbook signatures), 0..1 */
  share?: number;
  /**
   * the most excess this evaluation can vouch for (its evidence is indirect, or the calls look like
   * conversations), 0..1: the reason is then held below its full weight
   */
  maxExcess?: number;
  /**
   * false: the same observation hour after hour adds nothing, because lawful traffic shows it as
   * steadily as abuse does (the reason weighs only its own margin, however long it runs)
   */
  sustains?: false;
  detail: string;
}

export interface RuleModule<C extends string = string, P extends z.ZodRawShape = z.ZodRawShape> {
  code: C;
  /** the README rule table's "fires when" text */
  firesWhen: string;
  /** 'max' fires above the threshold, 'min' below it */
  direction: 'max' | 'min';
  /** the observed value is a share (thresholds scaled by vetting are capped at 1) */
  ratio: boolean;
  /** unit of a threshold that is not a share, for the README table (' s', 'x') */
  unit?: string;
  /** fires when the observed value reaches the threshold, not only when it passes it */
  inclusive?: boolean;
  /**
   * a textbook robocall signature: describing the majority of the hour's calls counts as fully past
   * its threshold, so at volume it is `high` on its own
   */
  signature: boolean;
  /**
   * the reason describes the customer, not the hour's calls (a count of tracebacks): firing again the
   * next hour is the same fact, so it never counts as a sustained pattern
   */
  aboutCustomer?: boolean;
  /**
   * the rule's measure belongs to one hour (a per-hour volume, a count of distinct numbers in the
   * hour, repeats within it, a fact about the customer): it is never judged over a customer's day
   * (day-window.ts)
   */
  hourly?: boolean;
  /**
   * another rule whose measure describes the same calls (a short average duration is the short calls
   * themselves): a day window scores the two as one reason, the stronger (day-window.ts)
   */
  sameCallsAs?: string;
  /** the rule's own policy fields beyond the common ones */
  params: P;
  /** the shipped policy's entry for this rule (config/policy.default.json must say the same) */
  defaults: z.input<z.ZodObject<typeof baseRuleFields & P>>;
  evaluate(
    w: WindowAggregate,
    d: Derived,
    ctx: WindowContext,
    cfg: BaseRuleConfig & z.infer<z.ZodObject<P>>,
    eff: EffectiveRule,
  ): Evaluation | null;
}

/** Keeps a module's literal code and parameter types (so codes form a union type). */
export function defineRule<const C extends string, P extends z.ZodRawShape = Record<never, never>>(
  rule: RuleModule<C, P>,
): RuleModule<C, P> {
  return rule;
}

/** The policy schema of one rule: the common fields and its own. */
export function ruleSchema(rule: RuleModule) {
  return z.object({ ...baseRuleFields, ...rule.params }).strict();
}
