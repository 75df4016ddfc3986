import { samePerson } from '../audit/same-person.ts';
import type { ReviewDecision } from './decision.ts';
import type { CaseRecord, DecisionKind, RecordedDecision, ReviewStage } from './model.ts';

/**
 * Where the state machine goes after a decision: enforce one of the four outcomes, or park the case
 * for executive approval (an analyst's termination is only a recommendation).
 */
export type Route = DecisionKind | 'executive';

export type TransitionResult =
  | { ok: true; next: CaseRecord; route: Route; recorded: RecordedDecision }
  | { ok: false; reason: string };

/**
 * Applies a reviewer's decision to a case waiting in `stage`. Pure: returns the next case state, or
 * a refusal with the reason (wrong stage, or the executive approving their own recommendation).
 */
export function applyDecision(
  current: CaseRecord,
  stage: ReviewStage,
  decision: ReviewDecision,
  at: string,
): TransitionResult {
  if (current.status !== 'awaiting_review' || current.awaitingStage !== stage) {
    const waiting = current.awaitingStage ? `the ${current.awaitingStage} review` : 'no review';
    return {
      ok: false,
      reason: `case ${current.caseId} is ${current.status} and waiting for ${waiting}, not the ${stage} review`,
    };
  }
  if (stage === 'executive') {
    const recommendation = lastDecision(current, ['analyst', 'escalated']);
    if (recommendation && samePerson(recommendation.decidedBy, decision.decidedBy)) {
      return {
        ok: false,
        reason: `${decision.decidedBy} recommended the termination of case ${current.caseId}; a different person must approve it`,
      };
    }
  }
  const recorded: RecordedDecision = { stage, ...decision, at };
  const needsApproval = stage !== 'executive' && decision.decision === 'terminate';
  const route: Route = needsApproval ? 'executive' : decision.decision;
  const next: CaseRecord = {
    ...current,
    status: needsApproval ? 'awaiting_review' : 'enforcing',
    awaitingStage: needsApproval ? 'executive' : null,
    decisions: [...current.decisions, recorded],
    outcome: needsApproval ? null : decision.decision,
    updatedAt: at,
  };
  return { ok: true, next, route, recorded };
}

export function lastDecision(current: CaseRecord, stages: ReviewStage[]): RecordedDecision | undefined {
  return current.decisions.filter((d) => stages.includes(d.stage)).at(-1);
}

/** The registry status a decision leads to; `null` means leave it (or restore it, see reinstate). */
export function customerStatusFor(outcome: DecisionKind): 'warned' | 'suspended' | 'terminated' | null {
  switch (outcome) {
    case 'dismiss':
      return null;
    case 'warn':
      return 'warned';
    case 'suspend':
      return 'suspended';
    case 'terminate':
      return 'terminated';
  }
}
