import { appendAudit } from '../audit/append.ts';
import { evidenceDigest } from '../audit/chain.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { Actor, AuditEntry } from '../audit/record.ts';
import type { CustomerRegistry, Notifier } from '../cases/ports.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import { parseIpRange } from '../net/ip-range.ts';
import { arnOf } from '../review/caller.ts';
import { type Assessment, assessApplication } from './assess.ts';
import { type Dossier, onboardingStream, type ReviewStage } from './dossier.ts';
import {
  applyOnboardingDecision,
  type OnboardingRoute,
  onboardingDecisionSchema,
} from './onboarding-decision.ts';
import type { CheckSourcesLoader, DossierStore, OnboardingRegistry } from './ports.ts';
import { recordOnboardingRefusal } from './refusal.ts';
import { resolveRenewal } from './renewal.ts';
import { activationBlockedBecause } from './standing.ts';
import type { OnboardingStepInput } from './step-input.ts';
import { TRACK_RECORD_POLICY } from './track-record.ts';

export interface OnboardingStepDeps {
  dossiers: DossierStore;
  sources: CheckSourcesLoader;
  registry: OnboardingRegistry;
  /** the customer store enforcement writes: the status (suspended, terminated) the checks read */
  customers: Pick<CustomerRegistry, 'get'>;
  notifier: Notifier;
  audit: AuditStore;
  now?: () => Date;
}

export class ApplicationNotFound extends Error {
  override name = 'ApplicationNotFound';
}

/** Not retryable: the reviewer's decision was refused; the state machine asks again. */
export class OnboardingDecisionRefused extends Error {
  override name = 'OnboardingDecisionRefused';
}

/** Not retryable: the customer was terminated (or suspended) since the checks; the state machine refuses the application. */
export class OnboardingBarred extends Error {
  override name = 'OnboardingBarred';
}

const SYSTEM: Actor = { role: 'system', id: 'system' };

/**
 * The work behind each task of the onboarding state machine. Every step re-reads the dossier, is
 * safe to retry, and appends one record to the application's audit chain (who, what, why, digest
 * of the evidence).
 */
export class OnboardingSteps {
  readonly #deps: OnboardingStepDeps;
  readonly #now: () => Date;

  constructor(deps: OnboardingStepDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  run(input: OnboardingStepInput): Promise<unknown> {
    switch (input.step) {
      case 'check':
        return this.check(input.applicationId);
      case 'recordReviewToken':
        return this.recordReviewToken(input.applicationId, input.stage, input.token);
      case 'recordDecision':
        return this.recordDecision(input.applicationId, input.decision);
      case 'activate':
        return this.activate(input.applicationId);
      case 'refuse':
        return this.refuse(input.applicationId, input.timedOut, input.barred);
      case 'alertFailure':
        return this.alertFailure(input.applicationId, input.failure ?? {});
    }
  }

  async check(
    applicationId: string,
  ): Promise<Pick<Assessment, 'risk' | 'executiveBecause'> & { barred: boolean }> {
    const dossier = await this.#load(applicationId);
    const [sources, renewed] = await Promise.all([
      this.#deps.sources.load(dossier.application),
      resolveRenewal(dossier.application, this.#deps),
    ]);
    const assessment = assessApplication(dossier.application, sources, renewed.standing, renewed.unknown);
    const digest = evidenceDigest(assessment);
    await this.#deps.dossiers.save({ ...dossier, status: 'checked', assessment, evidenceDigest: digest });
    await this.#audit(dossier, {
      actor: SYSTEM,
      action: 'onboarding.checked',
      reason: `risk ${assessment.risk}${assessment.reasons.length ? `: ${assessment.reasons.map((r) => r.detail).join('; ')}` : ''}`,
      evidenceDigest: digest,
      details: {
        risk: assessment.risk,
        codes: assessment.reasons.map((r) => r.code),
        executiveBecause: assessment.executiveBecause,
        barred: assessment.barred !== null,
      },
    });
    // the state machine refuses a barred application at once: no reviewer is asked
    return {
      risk: assessment.risk,
      executiveBecause: assessment.executiveBecause,
      barred: assessment.barred !== null,
    };
  }

  async recordReviewToken(applicationId: string, stage: ReviewStage, token: string): Promise<void> {
    const dossier = await this.#load(applicationId);
    await this.#deps.dossiers.saveToken(applicationId, stage, token);
    await this.#deps.dossiers.save({ ...dossier, status: 'awaiting_review', awaitingStage: stage });
    const risk = dossier.assessment?.risk ?? 'unknown';
    await this.#deps.notifier.notifyOnCall({
      subject: `Traceguard application ${applicationId} (${risk} risk) waits for the ${stage} review`,
      text: [
        `Application ${applicationId}, ${dossier.application.legal_name}: risk ${risk}; waits for the ${stage} review.`,
        ...(dossier.assessment?.reasons ?? []).map((r) => `- ${r.code}: ${r.detail}`),
        `Review: traceguard customers show ${applicationId}`,
      ].join('\n'),
      caseId: applicationId,
      customerId: dossier.customerId,
      severity: risk === 'high' ? 'high' : 'medium',
    });
    await this.#audit(dossier, {
      actor: SYSTEM,
      action: 'onboarding.review_requested',
      reason: `waiting for the ${stage} review`,
      evidenceDigest: dossier.evidenceDigest ?? undefined,
    });
  }

  async recordDecision(
    applicationId: string,
    raw: unknown,
  ): Promise<{ route: OnboardingRoute; stage: ReviewStage }> {
    const dossier = await this.#load(applicationId);
    const stage = dossier.awaitingStage;
    if (!stage)
      throw new OnboardingDecisionRefused(`application ${applicationId} is not waiting for a review`);
    const at = this.#now().toISOString();
    const parsed = onboardingDecisionSchema.safeParse(raw);
    const by = String((raw as { decidedBy?: unknown } | null)?.decidedBy ?? 'unknown');
    const result = parsed.success
      ? applyOnboardingDecision(dossier, stage, parsed.data, at)
      : {
          ok: false as const,
          reason: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '),
        };
    if (!result.ok) {
      await recordOnboardingRefusal(
        { dossiers: this.#deps.dossiers, audit: this.#deps.audit, now: this.#now },
        dossier,
        { stage, by, why: result.reason },
      );
      throw new OnboardingDecisionRefused(result.reason);
    }
    const decision = parsed.data!;
    await this.#deps.dossiers.save(result.next);
    await this.#deps.dossiers.deleteToken(applicationId, stage);
    await this.#audit(dossier, {
      actor: { role: stage, id: decision.decidedBy },
      action: `onboarding.decision.${stage}`,
      reason: decision.reason,
      evidenceDigest: dossier.evidenceDigest ?? undefined,
      details: { decision: decision.decision, route: result.route, ...arnOf(decision) },
    });
    return { route: result.route, stage };
  }

  /**
   * Activation as vetting `new`: the registry the ingest reads gets the customer and its tier clock.
   * The customer's status is read again first: one terminated (or suspended without an executive's
   * approval) while the application waited is not written to; the state machine refuses it instead.
   */
  async activate(applicationId: string): Promise<{ customerId: string }> {
    const dossier = await this.#load(applicationId);
    const needsExecutive = (dossier.assessment?.executiveBecause.length ?? 1) > 0;
    if (
      dossier.analyst?.decision !== 'approve' ||
      (needsExecutive && dossier.executive?.decision !== 'approve')
    ) {
      throw new OnboardingDecisionRefused(
        `application ${applicationId} lacks the approvals activation needs`,
      );
    }
    const blocked = activationBlockedBecause(dossier, await this.#deps.customers.get(dossier.customerId));
    if (blocked) throw new OnboardingBarred(blocked);
    const now = this.#now().toISOString();
    const existing = await this.#deps.registry.get(dossier.customerId);
    const app = dossier.application;
    await this.#deps.registry.put({
      customer_id: dossier.customerId,
      name: app.dba ?? app.legal_name,
      onboarded_at: existing?.onboarded_at || now,
      // a renewing customer keeps the tier it earned; a new one starts on probation
      vetting: existing?.vetting ?? 'new',
      traffic_profile: app.traffic_profile,
      // detection holds the customer to what it declared: its peak per hour (VOLUME_ABOVE_DECLARED),
      // the addresses its calls come from (UNDECLARED_SOURCE_IP) and the numbers it presents
      // (UNDECLARED_CALLING_NUMBER)
      declared_peak_per_hour: app.expected_volume.peak_per_hour,
      // (the checks flagged any entry that is not an address or a number; only usable ones are kept)
      declared_ip_ranges: app.originating_ips.filter((ip) => parseIpRange(ip) !== null),
      declared_numbers: app.telephone_numbers
        .map((t) => normalizeNumber(t.number).value)
        .filter((n) => n.startsWith('+')),
      // a provider (in the RMD) carries others' calls: detection judges it on its traffic's quality
      provider: app.provider,
      tier_since: existing?.tier_since ?? now,
      verified_at: now,
    });
    await this.#deps.dossiers.save({
      ...dossier,
      status: 'activated',
      outcome: { result: 'activated', why: 'approved', at: now },
    });
    await this.#audit(dossier, {
      actor: SYSTEM,
      action: 'onboarding.activated',
      reason: existing
        ? `re-verified; keeps vetting ${existing.vetting}`
        : `activated as vetting new, probation ${TRACK_RECORD_POLICY.probationDays} days`,
      evidenceDigest: dossier.evidenceDigest ?? undefined,
      details: {
        analyst: dossier.analyst?.decidedBy ?? null,
        executive: dossier.executive?.decidedBy ?? null,
      },
    });
    return { customerId: dossier.customerId };
  }

  /** `barred`: the checks or activation found the customer under enforcement (see activationBlockedBecause). */
  async refuse(applicationId: string, timedOut?: ReviewStage, barred?: boolean): Promise<void> {
    const dossier = await this.#load(applicationId);
    const decided = dossier.executive?.decision === 'refuse' ? dossier.executive : dossier.analyst;
    const why = barred
      ? (activationBlockedBecause(dossier, await this.#deps.customers.get(dossier.customerId)) ??
        dossier.assessment?.barred ??
        `customer ${dossier.customerId} is under enforcement`)
      : timedOut
        ? `the ${timedOut} review did not come in time; the application must be submitted again`
        : `refused by ${decided?.decidedBy ?? 'a reviewer'}: ${decided?.reason ?? 'no reason recorded'}`;
    if (timedOut) await this.#deps.dossiers.deleteToken(applicationId, timedOut);
    const at = this.#now().toISOString();
    await this.#deps.dossiers.save({
      ...dossier,
      status: 'refused',
      awaitingStage: null,
      outcome: { result: 'refused', why, at },
    });
    await this.#audit(dossier, {
      actor: SYSTEM,
      action: 'onboarding.refused',
      reason: why,
      evidenceDigest: dossier.evidenceDigest ?? undefined,
    });
  }

  async alertFailure(applicationId: string, failure: { Error?: string; Cause?: string }): Promise<void> {
    const subject = `Traceguard application ${applicationId}: a workflow step failed (${failure.Error ?? 'unknown'})`;
    await this.#deps.notifier.notifyOnCall({
      subject,
      text: `${subject}. The application needs a person: traceguard customers show ${applicationId}`,
      caseId: applicationId,
      customerId: applicationId,
      severity: 'high',
    });
    const dossier = await this.#deps.dossiers.get(applicationId);
    if (dossier)
      await this.#audit(dossier, { actor: SYSTEM, action: 'onboarding.step_failed', reason: subject });
  }

  async #load(applicationId: string): Promise<Dossier> {
    const dossier = await this.#deps.dossiers.get(applicationId);
    if (!dossier) throw new ApplicationNotFound(`application ${applicationId} does not exist`);
    return dossier;
  }

  async #audit(dossier: Dossier, entry: Omit<AuditEntry, 'customerId'>): Promise<void> {
    await appendAudit(
      this.#deps.audit,
      onboardingStream(dossier.applicationId),
      { ...entry, customerId: dossier.customerId },
      this.#now,
    );
  }
}
