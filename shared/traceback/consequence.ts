import type { Severity } from '../cases/events.ts';

/** domain-notes: a second traceback naming the same customer within 30 days is a pattern, not bad luck. */
export interface RepeatRule {
  repeatCount: number;
  windowDays: number;
}

export const DEFAULT_REPEAT_RULE: RepeatRule = { repeatCount: 2, windowDays: 30 };

export interface TracebackConsequence {
  /** tracebacks naming the customer within the window, this one included */
  repeatCount: number;
  /** high (escalation at high severity) at or above the repeat count, else medium (on-call notice) */
  severity: Severity;
  /** 1..4, the `severity_rank` message attribute */
  severityRank: number;
}

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * The consequence of an answer naming a customer, from the customer's traceback history (answer
 * times in ms, this answer included once).
 */
export function tracebackConsequence(
  historyMs: readonly number[],
  answeredMs: number,
  rule: RepeatRule = DEFAULT_REPEAT_RULE,
): TracebackConsequence {
  const from = answeredMs - rule.windowDays * 86_400_000;
  const repeatCount = historyMs.filter((t) => t > from && t <= answeredMs).length;
  const severity: Severity = repeatCount >= rule.repeatCount ? 'high' : 'medium';
  return { repeatCount, severity, severityRank: RANK[severity] };
}
