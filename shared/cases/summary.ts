import type { CaseRecord } from './model.ts';

/** One line about a case, for lists: `traceguard cases list` and a customer's cases. */
export interface CaseSummary {
  caseId: string;
  customerId: string;
  severity: CaseRecord['severity'];
  status: CaseRecord['status'];
  /** the review stage it waits for, else its status */
  waitingFor: string;
  openedAt: string;
  closedAt: string | null;
  /** the decision enforced, once the review is over */
  outcome: CaseRecord['outcome'];
  /** reason codes of every finding and traceback in the case, first seen first */
  reasons: string;
}

export function caseSummary(record: CaseRecord): CaseSummary {
  const reasons = new Set(record.evidence?.findings.flatMap((f) => f.reasons.map((r) => r.code)) ?? []);
  for (const t of record.triggers) {
    for (const r of (t.event.reasons as Array<{ code: string }> | undefined) ?? []) reasons.add(r.code);
    if (t.type === 'traceback') reasons.add('TRACEBACK');
  }
  return {
    caseId: record.caseId,
    customerId: record.customerId,
    severity: record.severity,
    status: record.status,
    waitingFor: record.awaitingStage ? `${record.awaitingStage} review` : record.status,
    openedAt: record.openedAt,
    closedAt: record.closedAt,
    outcome: record.outcome,
    reasons: [...reasons].join(','),
  };
}
