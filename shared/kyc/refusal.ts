import { appendAudit } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { type Dossier, onboardingStream, type ReviewStage } from './dossier.ts';
import type { DossierStore } from './ports.ts';

/**
 * Records a refused onboarding decision (an executive approval by the analyst who reviewed it...):
 * on the dossier, among its refusals, and in the application's audit stream, by the person who
 * tried. The state machine's own check and the review command's check before it both record
 * through here, so a refusal is on the record wherever it was caught.
 */
export async function recordOnboardingRefusal(
  deps: { dossiers: DossierStore; audit: AuditStore; now: () => Date },
  dossier: Dossier,
  refusal: { stage: ReviewStage; by: string; byArn?: string; why: string },
): Promise<void> {
  const { stage, by, why, byArn } = refusal;
  const at = deps.now().toISOString();
  await deps.dossiers.save({ ...dossier, refusals: [...dossier.refusals, { stage, by, why, at }] });
  await appendAudit(
    deps.audit,
    onboardingStream(dossier.applicationId),
    {
      actor: { role: stage, id: by },
      action: 'onboarding.decision_refused',
      reason: why,
      details: { stage, ...(byArn ? { byArn } : {}) },
      customerId: dossier.customerId,
    },
    deps.now,
  );
}
