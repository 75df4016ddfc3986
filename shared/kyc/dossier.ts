import type { Application } from './application.ts';
import type { Assessment } from './assess.ts';
import type { OnboardingDecision } from './onboarding-decision.ts';

/**
 * An application and everything decided about it: the checks' assessment, each review, each refused
 * decision, and the outcome. Holds ID numbers and addresses, so it is stored encrypted with the
 * stack's key and readable only by the review roles; it never goes to a log.
 */
export type ReviewStage = 'analyst' | 'executive';
export type DossierStatus = 'submitted' | 'checked' | 'awaiting_review' | 'activated' | 'refused';

export interface RecordedDecision extends OnboardingDecision {
  at: string;
}

export interface Dossier {
  applicationId: string;
  application: Application;
  submittedAt: string;
  submittedBy: string;
  status: DossierStatus;
  awaitingStage: ReviewStage | null;
  assessment: Assessment | null;
  evidenceDigest: string | null;
  analyst: RecordedDecision | null;
  executive: RecordedDecision | null;
  refusals: Array<{ stage: ReviewStage; by: string; why: string; at: string }>;
  outcome: { result: 'activated' | 'refused'; why: string; at: string } | null;
  /** the customer id the applicant is (or will be) known by in the registry */
  customerId: string;
}

export function newDossier(application: Application, submittedBy: string, at: Date): Dossier {
  return {
    applicationId: application.application_id,
    application,
    submittedAt: at.toISOString(),
    submittedBy,
    status: 'submitted',
    awaitingStage: null,
    assessment: null,
    evidenceDigest: null,
    analyst: null,
    executive: null,
    refusals: [],
    outcome: null,
    customerId: application.renewing_customer_id ?? application.application_id,
  };
}

/** One audit chain per application. */
export function onboardingStream(applicationId: string): string {
  return `onboarding#${applicationId}`;
}
