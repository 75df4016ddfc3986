import { samePerson } from '../audit/same-person.ts';
import type { ReviewDecision } from './decision.ts';
import type { CaseRecord, DecisionKind, RecordedDecision, ReviewStage } from './model.ts';

/**
 * Where the state machine goes after a decision: enforce one of the four outcomes, or park the case
 * for executive approval (an analyst's termination is only a recommendation). At the executive stage
 * `terminate` approves the recommendation; any other decision declines it and is the executive's own
 * outcome, enforced as such (the recommendation stays on the record as the analyst's).
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

/**
 * Who decided the outcome being enforced, for the audit record and the enforcement event: the person
 * whose decision it is, and for an approved termination also the person who recommended it. An
 * executive who declines a recommended termination decides the milder outcome alone: the analyst
 * recommended termination, not that outcome (`declined` names that recommendation).
 */
export function deciders(current: CaseRecord): { decidedBy: string[]; declined: RecordedDecision | null } {
  const last = current.decisions.at(-1);
  if (!last) return { decidedBy: [], declined: null };
  if (last.stage !== 'executive') return { decidedBy: [last.decidedBy], declined: null };
  const recommendation = lastDecision(current, ['analyst', 'escalated']);
  if (!recommendation) return { decidedBy: [last.decidedBy], declined: null };
  if (last.decision === 'terminate')
    return { decidedBy: [recommendation.decidedBy, last.decidedBy], declined: null };
  return { decidedBy: [last.decidedBy], declined: recommendation };
}

/** A decision as the record reads: an analyst's termination is a recommendation, an executive's decision approves or declines it. */
export function describeDecision(decision: RecordedDecision): string {
  if (decision.stage !== 'executive')
    return decision.decision === 'terminate' ? 'recommends terminate' : decision.decision;
  return decision.decision === 'terminate'
    ? 'approves terminate'
    : `declines the termination recommended, decides ${decision.decision}`;
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
