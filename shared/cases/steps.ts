import { appendAudit, auditStreams } from '../audit/append.ts';
import { evidenceDigest } from '../audit/chain.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { Actor, AuditEntry } from '../audit/record.ts';
import { arnOf } from '../review/caller.ts';
import { assessCritical, type CriticalVerdict } from './critical.ts';
import { InvalidDecision, parseReviewDecision, type ReviewDecision } from './decision.ts';
import { buildEvidence } from './evidence.ts';
import type { CaseRecord, CustomerStatus, ReviewStage } from './model.ts';
import type {
  CaseStore,
  CustomerRegistry,
  EnforcementEvent,
  Notifier,
  TerminationHook,
  TracebackHistory,
} from './ports.ts';
import { redactPhoneNumbers } from './redact.ts';
import { recordRefusal } from './refusal.ts';
import { requestReinstatementForDecision } from './reinstate.ts';
import type { StepInput } from './step-input.ts';
import { suspendAtOnce, TERMINATION_KEPT } from './suspend.ts';
import { applyDecision, customerStatusFor, deciders, lastDecision, type Route } from './transitions.ts';

export interface CaseStepDeps {
  cases: CaseStore;
  customers: CustomerRegistry;
  tracebacks: TracebackHistory;
  notifier: Notifier;
  audit: AuditStore;
  /** after a termination: the customer's identifiers join the do-not-onboard list */
  onTerminated: TerminationHook;
  now?: () => Date;
}

/** At the executive stage: the recommendation the decision approves or declines, and who made it. */
function recommendationDetails(record: CaseRecord, stage: ReviewStage): Record<string, unknown> {
  const recommendation = stage === 'executive' ? lastDecision(record, ['analyst', 'escalated']) : undefined;
  if (!recommendation) return {};
  const approved = record.decisions.at(-1)?.decision === recommendation.decision;
  return {
    recommendation: { decision: recommendation.decision, by: recommendation.decidedBy },
    [approved ? 'approves' : 'declines']: recommendation.decision,
  };
}

/** Not retryable: the case named in the event does not exist. */
export class CaseNotFound extends Error {
  override name = 'CaseNotFound';
}

/** Not retryable: the reviewer's decision was refused; the state machine asks again. */
export class DecisionRefused extends Error {
  override name = 'DecisionRefused';
}

const SYSTEM: Actor = { role: 'system', id: 'system' };
/** the case's record that its decision left the customer suspended, pending a two-person reinstatement */
const SUSPENSION_KEPT = 'customer.suspension_kept';

/**
 * The work behind each Lambda task of the escalation state machine. Every step is safe to retry
 * (it re-reads the case and converges on the same state) and writes one audit record: who, when,
 * what, why and the digest of the evidence it relied on.
 */
export class CaseSteps {
  readonly #deps: CaseStepDeps;
  readonly #now: () => Date;

  constructor(deps: CaseStepDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  run(input: StepInput): Promise<unknown> {
    switch (input.step) {
      case 'gatherEvidence':
        return this.gatherEvidence(input.caseId);
      case 'suspend':
        return this.suspendAtOnce(input.caseId);
      case 'notify':
        return this.notify(input.caseId, input.kind);
      case 'recordReviewToken':
        return this.recordReviewToken(input.caseId, input.stage, input.token);
      case 'recordAudit':
        return this.recordDecision(input.caseId, input.decision);
      case 'enforce':
        return this.enforce(input.caseId);
      case 'reinstate':
        return this.reinstate(input.caseId);
      case 'close':
        return this.close(input.caseId);
      case 'alertFailure':
        return this.alertFailure(input.caseId, input.failure ?? {});
    }
  }

  async gatherEvidence(caseId: string): Promise<CriticalVerdict> {
    const record = await this.#load(caseId);
    const [profile, history] = await Promise.all([
      this.#deps.customers.get(record.customerId),
      this.#deps.tracebacks.forCustomer(record.customerId),
    ]);
    const evidence = buildEvidence(record, profile, history, this.#now());
    const digest = evidenceDigest(evidence);
    const verdict = assessCritical(evidence);
    await this.#save({ ...record, evidence, evidenceDigest: digest, critical: verdict });
    await this.#audit(record, {
      actor: SYSTEM,
      action: 'case.evidence_gathered',
      reason: verdict.critical
        ? `critical: ${verdict.why.join('; ')}`
        : 'not critical: analyst review decides',
      evidenceDigest: digest,
      details: { findings: evidence.findings.length, tracebacks: evidence.tracebacks.total },
    });
    // a case judged critical (its customer suspended at once) is listed and paged as critical, even
    // when no single event was (four tracebacks in a year, each of them high)
    if (verdict.critical && (await this.#deps.cases.raiseSeverity(caseId, 'critical'))) {
      await this.#audit(record, {
        actor: SYSTEM,
        action: 'case.severity_raised',
        reason: `the evidence is critical: ${verdict.why.join('; ')}`,
        evidenceDigest: digest,
        details: { severity: 'critical' },
      });
    }
    return verdict;
  }

  async suspendAtOnce(caseId: string): Promise<{ status: CustomerStatus }> {
    const record = await this.#load(caseId);
    const why = `critical case ${caseId}: ${record.critical?.why.join('; ') ?? 'critical'}`;
    return suspendAtOnce({ ...this.#deps, now: this.#now }, record, why);
  }

  async notify(caseId: string, kind: 'opened' | 'reviewOverdue' | 'decisionRefused'): Promise<void> {
    const record = await this.#load(caseId);
    const reasons = (record.evidence?.findings ?? [])
      .flatMap((f) => f.reasons.map((r) => `${r.code}${r.detail ? `: ${r.detail}` : ''}`))
      .slice(0, 10);
    const tracebacks = record.evidence?.tracebacks.total ?? 0;
    // a critical case suspends its customer at once, unless it is terminated already (suspend.ts)
    const terminated =
      record.critical?.critical === true &&
      (await this.#deps.customers.get(record.customerId))?.status === 'terminated';
    const lines = [
      `Case ${caseId}, customer ${record.customerId}, severity ${record.severity}.`,
      record.critical?.critical
        ? `Customer ${terminated ? 'terminated already, nothing suspended' : 'suspended at once'}: ${record.critical.why.join('; ')}.`
        : '',
      reasons.length ? `Reasons:\n- ${reasons.join('\n- ')}` : '',
      tracebacks ? `Tracebacks on record: ${tracebacks}.` : '',
    ];
    const subjects = {
      opened: `Traceguard case ${caseId} for ${record.customerId} needs review`,
      reviewOverdue: `OVERDUE: Traceguard case ${caseId} was not reviewed in time; escalated to the executive`,
      decisionRefused: `Traceguard case ${caseId}: a decision was refused`,
    };
    if (kind === 'decisionRefused') lines.push(`Refused: ${record.refusals.at(-1)?.why ?? 'unknown'}`);
    lines.push(`Review: traceguard cases show ${caseId}`);
    await this.#deps.notifier.notifyOnCall({
      subject: subjects[kind],
      text: redactPhoneNumbers(lines.filter(Boolean).join('\n')),
      caseId,
      customerId: record.customerId,
      severity: record.severity,
    });
    await this.#audit(record, { actor: SYSTEM, action: `notify.${kind}`, reason: subjects[kind] });
  }

  async recordReviewToken(caseId: string, stage: ReviewStage, token: string): Promise<void> {
    const record = await this.#load(caseId);
    // token first: a case shown as waiting always has a token to answer
    await this.#deps.cases.saveToken(caseId, stage, token);
    await this.#save({ ...record, status: 'awaiting_review', awaitingStage: stage });
    await this.#audit(record, {
      actor: SYSTEM,
      action: 'review.requested',
      reason: `waiting for the ${stage} review`,
      evidenceDigest: record.evidenceDigest ?? undefined,
    });
  }

  async recordDecision(caseId: string, rawDecision: unknown): Promise<{ route: Route; stage: ReviewStage }> {
    const record = await this.#load(caseId);
    const stage = record.awaitingStage;
    if (!stage) throw new DecisionRefused(`case ${caseId} is ${record.status}, not waiting for a review`);
    const at = this.#now().toISOString();
    const role = stage === 'analyst' ? 'analyst' : 'executive';
    const submittedBy = String((rawDecision as { decidedBy?: unknown } | null)?.decidedBy ?? 'unknown');
    let result: ReturnType<typeof applyDecision>;
    let decision: ReviewDecision | null = null;
    try {
      decision = parseReviewDecision(rawDecision, `decision for case ${caseId}`);
      result = applyDecision(record, stage, decision, at);
    } catch (error) {
      if (!(error instanceof InvalidDecision)) throw error;
      result = { ok: false, reason: error.message };
    }
    if (!result.ok || !decision) {
      const why = result.ok ? 'decision missing' : result.reason;
      await recordRefusal({ cases: this.#deps.cases, audit: this.#deps.audit, now: this.#now }, record, {
        stage,
        by: submittedBy,
        why,
        decision: decision?.decision ?? null,
      });
      throw new DecisionRefused(why);
    }
    const actor: Actor = { role, id: decision.decidedBy };
    await this.#save(result.next);
    await this.#deps.cases.deleteToken(caseId, stage);
    await this.#audit(record, {
      actor,
      action: `decision.${stage}`,
      reason: decision.reason,
      evidenceDigest: record.evidenceDigest ?? undefined,
      details: {
        decision: decision.decision,
        route: result.route,
        ...recommendationDetails(result.next, stage),
        ...arnOf(decision),
      },
    });
    return { route: result.route, stage };
  }

  async enforce(caseId: string): Promise<{ status: CustomerStatus | null }> {
    const record = await this.#load(caseId);
    const outcome = record.outcome;
    if (!outcome) throw new CaseNotFound(`case ${caseId} has no decided outcome to enforce`);
    if (outcome === 'dismiss') {
      await this.reinstate(caseId);
      return { status: null };
    }
    const status = customerStatusFor(outcome) as CustomerStatus;
    const { decidedBy, declined } = deciders(record);
    // who decided, and the termination an executive declined (kept as the analyst's recommendation)
    const decidedDetails = {
      decidedBy,
      ...(declined
        ? { declinedRecommendation: { decision: declined.decision, by: declined.decidedBy } }
        : {}),
    };
    const why = `case ${caseId}: ${record.decisions.at(-1)?.reason ?? outcome}`;
    // A termination took an executive's approval: a later case's milder outcome, which one analyst
    // decides, does not lift it (a terminated customer's calls after the block open such cases).
    const before = (await this.#deps.customers.get(record.customerId))?.status;
    if (before === 'terminated' && status !== 'terminated') {
      await this.#audit(record, {
        actor: SYSTEM,
        action: TERMINATION_KEPT,
        reason: `${why}; the customer stays terminated: a ${outcome} does not lift a termination`,
        evidenceDigest: record.evidenceDigest ?? undefined,
        details: { ...decidedDetails, outcome },
      });
      return { status: before };
    }
    // a warning of a suspended customer would lift the suspension on one person's word
    if (before === 'suspended' && status === 'warned') return this.#keepSuspension(record, 'warned');
    await this.#deps.customers.setStatus(record.customerId, status, why);
    if (status === 'terminated') await this.#deps.onTerminated.terminated(record.customerId, why);
    await this.#deps.notifier.publishEnforcement(
      this.#enforcementEvent(record, outcome, status, why, decidedBy),
    );
    await this.#audit(record, {
      actor: SYSTEM,
      action: `customer.${status}`,
      reason: why,
      evidenceDigest: record.evidenceDigest ?? undefined,
      details: decidedDetails,
    });
    return { status };
  }

  async reinstate(caseId: string): Promise<{ status: CustomerStatus | null }> {
    const record = await this.#load(caseId);
    const why = `case ${caseId} dismissed: ${record.decisions.at(-1)?.reason ?? 'no decision recorded'}`;
    const before = record.statusBeforeSuspension;
    if (before === null) {
      await this.#audit(record, { actor: SYSTEM, action: 'case.dismissed', reason: why });
      return { status: null };
    }
    // terminated since this case suspended the customer (by another case): a dismissal of this one
    // does not lift a termination an executive approved
    const current = (await this.#deps.customers.get(record.customerId))?.status;
    if (current === 'terminated') {
      await this.#audit(record, {
        actor: SYSTEM,
        action: TERMINATION_KEPT,
        reason: `${why}; the customer stays terminated: a dismissal does not lift a termination`,
      });
      return { status: 'terminated' };
    }
    // suspended before this case suspended it, or no longer suspended: nothing of this case's to lift
    if (before === 'suspended' || current !== 'suspended') {
      await this.#audit(record, { actor: SYSTEM, action: 'case.dismissed', reason: why });
      return { status: null };
    }
    return this.#keepSuspension(record, before);
  }

  /**
   * The case's decision (a dismissal, a warning) is milder than the suspension its customer is under,
   * which one person's decision does not lift: the customer stays suspended, and the decision becomes
   * its maker's request to reinstate the customer to `restoreTo`, which another person approves
   * (traceguard customers reinstate --approve). Both records name the decider and the reason.
   */
  async #keepSuspension(record: CaseRecord, restoreTo: CustomerStatus): Promise<{ status: CustomerStatus }> {
    const decision = record.decisions.at(-1);
    if (!decision) throw new CaseNotFound(`case ${record.caseId} has no decision to keep the suspension for`);
    const request = await requestReinstatementForDecision(
      {
        customerId: record.customerId,
        caseId: record.caseId,
        requestedBy: decision.decidedBy,
        reason: `case ${record.caseId} decided ${decision.decision}: ${decision.reason}`,
        restoreTo,
      },
      { customers: this.#deps.customers, audit: this.#deps.audit, now: this.#now },
    );
    await this.#audit(record, {
      actor: SYSTEM,
      action: SUSPENSION_KEPT,
      reason:
        `${decision.decision} decided by ${decision.decidedBy}: ${decision.reason}; the customer stays suspended ` +
        `until another person approves its reinstatement to ${restoreTo}, which the ${decision.decision} requested ` +
        `(traceguard customers reinstate ${record.customerId} --approve, or --decline --reason "...")`,
      evidenceDigest: record.evidenceDigest ?? undefined,
      details: {
        decidedBy: [decision.decidedBy],
        outcome: decision.decision,
        status: 'suspended',
        restoreTo,
        reinstatementRequestSeq: request.seq,
      },
    });
    return { status: 'suspended' };
  }

  async close(caseId: string): Promise<void> {
    const record = await this.#load(caseId);
    const at = this.#now().toISOString();
    await this.#save({ ...record, status: 'closed', awaitingStage: null, closedAt: record.closedAt ?? at });
    await this.#deps.cases.release(record.customerId, caseId);
    await this.#audit(record, {
      actor: SYSTEM,
      action: 'case.closed',
      reason: `outcome: ${record.outcome ?? 'none'}`,
    });
  }

  async alertFailure(caseId: string, failure: { Error?: string; Cause?: string }): Promise<void> {
    const error = failure.Error ?? 'unknown error';
    const cause = redactPhoneNumbers(String(failure.Cause ?? '')).slice(0, 1000);
    const record = await this.#deps.cases.get(caseId);
    const customerId = record?.customerId ?? 'unknown';
    const severity = record?.severity ?? 'high';
    await this.#deps.notifier.notifyOnCall({
      subject: `Traceguard case ${caseId} stopped: ${error}`,
      text: `A step of case ${caseId} (customer ${customerId}) failed for good: ${error}. ${cause}\nThe case needs a person: traceguard cases show ${caseId}`,
      caseId,
      customerId,
      severity,
    });
    if (!record) return;
    const at = this.#now().toISOString();
    await this.#save({ ...record, status: 'failed', awaitingStage: null, failure: { error, cause, at } });
    // free the customer so new findings open a fresh case instead of joining a stopped one
    await this.#deps.cases.release(record.customerId, caseId);
    await this.#audit(record, { actor: SYSTEM, action: 'case.failed', reason: `${error}: ${cause}` });
  }

  async #load(caseId: string): Promise<CaseRecord> {
    const record = await this.#deps.cases.get(caseId);
    if (!record) throw new CaseNotFound(`case ${caseId} does not exist in the Cases table`);
    return record;
  }

  #save(record: CaseRecord): Promise<void> {
    return this.#deps.cases.save({ ...record, updatedAt: this.#now().toISOString() });
  }

  async #audit(record: CaseRecord, entry: Omit<AuditEntry, 'caseId' | 'customerId'>): Promise<void> {
    await appendAudit(
      this.#deps.audit,
      auditStreams.forCase(record.caseId),
      { ...entry, caseId: record.caseId, customerId: record.customerId },
      this.#now,
    );
  }

  #enforcementEvent(
    record: CaseRecord,
    action: EnforcementEvent['action'],
    status: CustomerStatus,
    reason: string,
    decidedBy: string[],
  ): EnforcementEvent {
    return {
      type: 'enforcement',
      case_id: record.caseId,
      customer_id: record.customerId,
      action,
      status,
      reason,
      decided_by: decidedBy,
      at: this.#now().toISOString(),
    };
  }
}
