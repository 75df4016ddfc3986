import { appendAudit } from '../audit/append.ts';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { VerifiedCaller } from '../review/caller.ts';
import { executiveStepRefusal } from '../review/executive-step.ts';
import { type Application, parseApplication } from './application.ts';
import { type Dossier, newDossier, onboardingStream } from './dossier.ts';
import { applyOnboardingDecision, onboardingDecisionSchema } from './onboarding-decision.ts';
import type { DossierStore, OnboardingCallbacks, OnboardingStarter } from './ports.ts';
import { recordOnboardingRefusal } from './refusal.ts';

export class ApplicationRefused extends Error {
  override name = 'ApplicationRefused';
}

/**
 * An application comes in (CLI, API): validated, stored as a new dossier, recorded, and its
 * onboarding workflow started under the application id. Submitting the same application again starts
 * nothing; submitting other content under a known id is refused (see refuseOtherContent).
 */
export async function submitApplication(
  input: unknown,
  submittedBy: string,
  where: string,
  deps: { dossiers: DossierStore; starter: OnboardingStarter; audit: AuditStore; now?: () => Date },
): Promise<{ dossier: Dossier; started: 'started' | 'already'; resubmitted: boolean }> {
  const now = (deps.now ?? (() => new Date()))();
  const application = parseApplication(input, where);
  const dossier = newDossier(application, submittedBy, now);
  if (!(await deps.dossiers.create(dossier))) {
    const existing = await deps.dossiers.get(application.application_id);
    if (!existing)
      throw new ApplicationRefused(`application ${application.application_id} vanished while submitted`);
    refuseOtherContent(existing, application);
    // started again in case the first start failed; Step Functions answers 'started' for a running
    // execution of the same name and input, so `resubmitted` is what says nothing new came in
    return {
      dossier: existing,
      started: await deps.starter.start(existing.applicationId),
      resubmitted: true,
    };
  }
  await appendAudit(
    deps.audit,
    onboardingStream(dossier.applicationId),
    {
      actor: { role: 'system', id: submittedBy },
      action: 'onboarding.submitted',
      reason: `application for ${application.legal_name}`,
      customerId: dossier.customerId,
    },
    () => now,
  );
  return { dossier, started: await deps.starter.start(dossier.applicationId), resubmitted: false };
}

/**
 * An application id names one application: the stored one is what was checked and is being (or was)
 * reviewed, so other content under its id would either be silently ignored or change a dossier under
 * its reviewers. Refused; the message names the fields, never their values (ID numbers, addresses).
 */
function refuseOtherContent(existing: Dossier, received: Application): void {
  // read through today's schema too, so a default added since it was stored is no difference
  const stored = parseApplication(
    existing.application,
    `stored ${existing.applicationId}`,
  ) as unknown as Record<string, unknown>;
  const now = received as unknown as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined ? '' : canonicalJson(v));
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(now)])]
    .filter((k) => text(stored[k]) !== text(now[k]))
    .sort();
  if (fields.length === 0) return;
  throw new ApplicationRefused(
    `application ${existing.applicationId} was already submitted at ${existing.submittedAt} by ${existing.submittedBy} ` +
      `with other content (${fields.join(', ')} ${fields.length === 1 ? 'differs' : 'differ'}): it is not changed; submit the new details under a new application_id`,
  );
}

/**
 * A reviewer's decision on a waiting application: validated here for a clear error, checked again by
 * the state machine (anyone holding the token could answer), then handed to the parked task.
 */
export async function decideApplication(
  input: { applicationId: string; decision: unknown; reason: unknown; caller: VerifiedCaller },
  deps: { dossiers: DossierStore; callbacks: OnboardingCallbacks; audit: AuditStore; now?: () => Date },
): Promise<{ stage: string; decision: string }> {
  const dossier = await deps.dossiers.get(input.applicationId);
  if (!dossier) throw new ApplicationRefused(`application ${input.applicationId} does not exist`);
  const stage = dossier.awaitingStage;
  if (dossier.status !== 'awaiting_review' || !stage) {
    throw new ApplicationRefused(
      `application ${input.applicationId} is ${dossier.status}, not waiting for a review`,
    );
  }
  const { caller } = input;
  const parsed = onboardingDecisionSchema.safeParse({
    decision: input.decision,
    reason: input.reason,
    decidedBy: caller.person,
    decidedByArn: caller.arn,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new ApplicationRefused(`application ${input.applicationId}: ${problems}`);
  }
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  const notExecutive = executiveStepRefusal(stage, caller, `application ${input.applicationId}`);
  const check = notExecutive
    ? { ok: false as const, reason: notExecutive }
    : applyOnboardingDecision(dossier, stage, parsed.data, at);
  if (!check.ok) {
    // refused here, before the state machine sees it: on the record all the same
    await recordOnboardingRefusal({ dossiers: deps.dossiers, audit: deps.audit, now }, dossier, {
      stage,
      by: caller.person,
      byArn: caller.arn,
      why: check.reason,
    });
    throw new ApplicationRefused(check.reason);
  }
  const token = await deps.dossiers.getToken(input.applicationId, stage);
  if (!token)
    throw new ApplicationRefused(`application ${input.applicationId} has no open ${stage} review task`);
  await deps.callbacks.succeed(token, { ...parsed.data, stage, at });
  return { stage, decision: parsed.data.decision };
}
