import type { ReasonCode } from './rules/index.ts';

/** The findings document: one finding per customer-hour with reasons, and a summary of the run. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s) + 1;
}

export interface Reason {
  /** stable identifier, e.g. SHORT_CALL_RATIO */
  code: ReasonCode;
  observed: number;
  threshold: number;
  /** a sentence a compliance analyst can check against the CDRs */
  detail: string;
}

export interface Finding {
  customer_id: string;
  window_start: string;
  window_end: string;
  severity: Severity;
  score: number;
  reasons: Reason[];
  /** figures; `true` marks one beside it (`distinct_called_estimated`: an estimate, not a count) */
  metrics: Record<string, number | string | boolean | Array<Record<string, string | number>>>;
}

export interface FindingsDocument {
  findings: Finding[];
  summary: { batches: number; rows: number; quarantined: number; [k: string]: number };
}

/** Worst first: severity, then score, then the earlier window, then customer id (stable output). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.score - a.score ||
    a.window_start.localeCompare(b.window_start) ||
    a.customer_id.localeCompare(b.customer_id)
  );
}
