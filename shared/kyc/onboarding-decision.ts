import { z } from 'zod';
import { samePerson } from '../audit/same-person.ts';
import { reviewDecisionSchema } from '../cases/decision.ts';
import type { Dossier, ReviewStage } from './dossier.ts';

/** A reviewer's decision on an application, as a person submits it and the state machine receives it. */
/** The reason and reviewer rules are the escalation's, so both reviews read the same to a regulator. */
export const onboardingDecisionSchema = reviewDecisionSchema
  .pick({ reason: true, decidedBy: true, decidedByArn: true })
  .extend({
    decision: z.enum(['approve', 'refuse'], { error: 'must be approve or refuse' }),
  });
export type OnboardingDecision = z.infer<typeof onboardingDecisionSchema>;

/** Where the workflow goes after a decision. */
export type OnboardingRoute = 'activate' | 'executive' | 'refuse';

export type DecisionCheck =
  | { ok: true; route: OnboardingRoute; next: Dossier }
  | { ok: false; reason: string };

/**
 * The rules of review: the analyst approves or refuses; an approval goes to an executive when the
 * checks require one (high risk, high volume, marketing), and the executive must be a different
 * person than the analyst. Neither review may be taken by the person who submitted the application
 * (a salesperson cannot vet their own customer). A refusal at any stage ends the application with
 * its reason.
 */
export function applyOnboardingDecision(
  dossier: Dossier,
  stage: ReviewStage,
  decision: OnboardingDecision,
  at: string,
): DecisionCheck {
  if (dossier.status !== 'awaiting_review' || dossier.awaitingStage !== stage) {
    return {
      ok: false,
      reason: `application ${dossier.applicationId} is not waiting for the ${stage} review`,
    };
  }
  if (samePerson(dossier.submittedBy, decision.decidedBy)) {
    return {
      ok: false,
      reason: `the ${stage} review must come from a different person than the one who submitted application ${dossier.applicationId} (${dossier.submittedBy})`,
    };
  }
  const recorded = { ...decision, at };
  const base = { ...dossier, awaitingStage: null, status: 'checked' as const };
  if (stage === 'analyst') {
    const needsExecutive = (dossier.assessment?.executiveBecause.length ?? 0) > 0;
    const route: OnboardingRoute =
      decision.decision === 'refuse' ? 'refuse' : needsExecutive ? 'executive' : 'activate';
    return { ok: true, route, next: { ...base, analyst: recorded } };
  }
  if (dossier.analyst && samePerson(dossier.analyst.decidedBy, decision.decidedBy)) {
    return {
      ok: false,
      reason: `the executive approval must come from a different person than the analyst (${dossier.analyst.decidedBy})`,
    };
  }
  return {
    ok: true,
    route: decision.decision === 'refuse' ? 'refuse' : 'activate',
    next: { ...base, executive: recorded },
  };
}
