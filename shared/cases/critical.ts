import type { Evidence } from './model.ts';

/**
 * When a case is critical the customer is suspended before anyone reviews it: the traffic is
 * plainly illegal (calls from DNO or invalid numbers at volume), the customer keeps coming back in
 * tracebacks, or the score is above the critical line. Thresholds follow domain-notes 2.4 (third
 * traceback -> suspend) and 3 (DNO calls must never have been accepted).
 */
export const CRITICAL_RULES = {
  /** a finding scored at or above this is critical whatever its reasons */
  score: 90,
  /** DNO / invalid caller-ID reasons count as "at volume" from this many such calls in the window */
  invalidCallerIdMinCalls: 100,
  /** this many tracebacks within a year (or a repeat count this high) */
  repeatTracebacks: 3,
} as const;

const CALLER_ID_CODES = new Set(['DNO_CALLING_NUMBER', 'INVALID_CALLING_NUMBER']);

export interface CriticalVerdict {
  critical: boolean;
  why: string[];
}

export function assessCritical(evidence: Evidence): CriticalVerdict {
  const why: string[] = [];
  for (const finding of evidence.findings) {
    const window = `${finding.window.start}..${finding.window.end}`;
    if (finding.severity === 'critical') why.push(`finding for ${window} was scored critical`);
    else if (finding.score >= CRITICAL_RULES.score) {
      why.push(`finding for ${window} scored ${finding.score} (critical line ${CRITICAL_RULES.score})`);
    }
    const calls = Number(finding.metrics.calls ?? 0);
    for (const reason of finding.reasons) {
      if (!CALLER_ID_CODES.has(reason.code)) continue;
      // the calls from such numbers (the hard rules' observed count), not the window's: one DNO call
      // in a busy hour is a block to fix, not a customer to suspend unreviewed (an event without the
      // count falls back to the window's calls)
      const count = reason.observed ?? calls;
      if (count >= CRITICAL_RULES.invalidCallerIdMinCalls)
        why.push(`${reason.code}: ${count} calls in a window of ${calls}`);
    }
  }
  const tb = evidence.tracebacks;
  const repeats = Math.max(tb.inLast365Days, tb.highestRepeatCount);
  if (repeats >= CRITICAL_RULES.repeatTracebacks) {
    why.push(`${repeats} tracebacks within a year (limit ${CRITICAL_RULES.repeatTracebacks})`);
  }
  return { critical: why.length > 0, why };
}
