import type { AuditStore } from '../audit/ports.ts';
import { parseReviewDecision } from './decision.ts';
import type { CaseRecord } from './model.ts';
import type { CaseStore, ReviewCallbacks } from './ports.ts';
import { recordRefusal } from './refusal.ts';
import { applyDecision } from './transitions.ts';

export class ReviewRefused extends Error {
  override name = 'ReviewRefused';
}

/**
 * A person's decision on a waiting case: validated, checked against the case (the state machine
 * checks again, since anyone holding the token could answer it), then handed to the parked task.
 * The token is looked up by case id and stage; it is never shown.
 */
export async function submitDecision(
  input: { caseId: string; decision: unknown; reason: unknown; decidedBy: string },
  deps: { cases: CaseStore; callbacks: ReviewCallbacks; audit: AuditStore; now?: () => Date },
): Promise<{ record: CaseRecord; stage: string; decision: string }> {
  const record = await deps.cases.get(input.caseId);
  if (!record) throw new ReviewRefused(`case ${input.caseId} does not exist`);
  const stage = record.awaitingStage;
  if (record.status !== 'awaiting_review' || !stage) {
    throw new ReviewRefused(`case ${input.caseId} is ${record.status}, not waiting for a review`);
  }
  const decision = parseReviewDecision(
    { decision: input.decision, reason: input.reason, decidedBy: input.decidedBy },
    `case ${input.caseId}`,
  );
  const now = deps.now ?? (() => new Date());
  const check = applyDecision(record, stage, decision, now().toISOString());
  if (!check.ok) {
    // refused here, before the workflow sees it: on the record all the same
    await recordRefusal({ cases: deps.cases, audit: deps.audit, now }, record, {
      stage,
      by: decision.decidedBy,
      why: check.reason,
      decision: decision.decision,
    });
    throw new ReviewRefused(check.reason);
  }
  const at = now().toISOString();
  const token = await deps.cases.getToken(input.caseId, stage);
  if (!token) throw new ReviewRefused(`case ${input.caseId} has no open ${stage} review task`);
  await deps.callbacks.succeed(token, { ...decision, stage, at });
  return { record, stage, decision: decision.decision };
}
