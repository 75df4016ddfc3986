import type { AuditStore } from '../audit/ports.ts';
import type { VerifiedCaller } from '../review/caller.ts';
import { executiveStepRefusal } from '../review/executive-step.ts';
import { parseReviewDecision } from './decision.ts';
import type { CaseRecord } from './model.ts';
import type { CaseStore, ReviewCallbacks } from './ports.ts';
import { recordRefusal } from './refusal.ts';
import { applyDecision } from './transitions.ts';

export class ReviewRefused extends Error {
  override name = 'ReviewRefused';
}

/**
 * A person's decision on a waiting case: validated, checked against the case and the caller (an
 * executive's review only by an executive; the state machine checks the case again), then handed to
 * the parked task. The decider is the verified caller, never a name the request carries. The token
 * is looked up by case id and stage; it is never shown.
 */
export async function submitDecision(
  input: { caseId: string; decision: unknown; reason: unknown; caller: VerifiedCaller },
  deps: { cases: CaseStore; callbacks: ReviewCallbacks; audit: AuditStore; now?: () => Date },
): Promise<{ record: CaseRecord; stage: string; decision: string }> {
  const record = await deps.cases.get(input.caseId);
  if (!record) throw new ReviewRefused(`case ${input.caseId} does not exist`);
  const stage = record.awaitingStage;
  if (record.status !== 'awaiting_review' || !stage) {
    throw new ReviewRefused(`case ${input.caseId} is ${record.status}, not waiting for a review`);
  }
  const { caller } = input;
  const decision = parseReviewDecision(
    { decision: input.decision, reason: input.reason, decidedBy: caller.person, decidedByArn: caller.arn },
    `case ${input.caseId}`,
  );
  const now = deps.now ?? (() => new Date());
  const notExecutive = executiveStepRefusal(stage, caller, `case ${input.caseId}`);
  const check = notExecutive
    ? { ok: false as const, reason: notExecutive }
    : applyDecision(record, stage, decision, now().toISOString());
  if (!check.ok) {
    // refused here, before the workflow sees it: on the record all the same
    await recordRefusal({ cases: deps.cases, audit: deps.audit, now }, record, {
      stage,
      by: caller.person,
      byArn: caller.arn,
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
