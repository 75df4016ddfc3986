import { appendAudit, auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { CaseRecord, DecisionKind, ReviewStage } from './model.ts';
import type { CaseStore } from './ports.ts';

/**
 * Records a refused review decision (an approval by the person who proposed it, a stage that is not
 * waiting...): on the case, among its refusals, and in its audit stream, by the person who tried.
 * The workflow's own check and the review command's check before it both record through here, so a
 * refusal is on the record wherever it was caught.
 */
export async function recordRefusal(
  deps: { cases: CaseStore; audit: AuditStore; now: () => Date },
  record: CaseRecord,
  refusal: { stage: ReviewStage; by: string; byArn?: string; why: string; decision: DecisionKind | null },
): Promise<void> {
  const at = deps.now().toISOString();
  const { stage, by, why } = refusal;
  // appended, not the whole case saved: a step of the workflow may have changed it since it was read
  await deps.cases.addRefusal(record.caseId, { stage, by, why, at });
  await appendAudit(
    deps.audit,
    auditStreams.forCase(record.caseId),
    {
      actor: { role: stage === 'analyst' ? 'analyst' : 'executive', id: by },
      action: 'decision.refused',
      reason: why,
      details: { stage, decision: refusal.decision, ...(refusal.byArn ? { byArn: refusal.byArn } : {}) },
      caseId: record.caseId,
      customerId: record.customerId,
    },
    deps.now,
  );
}
