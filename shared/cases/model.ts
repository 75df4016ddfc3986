import type { CustomerStatus, Vetting } from '../detect/customers.ts';
import type { Reason, Severity } from './events.ts';

/** the registry's vetting tiers and enforcement statuses, as detection reads them (one list each) */
export type { CustomerStatus, Vetting };

/** The review stages a person can act in; each has its own task token. */
export type ReviewStage = 'analyst' | 'escalated' | 'executive';
export type DecisionKind = 'dismiss' | 'warn' | 'suspend' | 'terminate';

export type CaseStatus =
  | 'gathering' // execution started, evidence not yet gathered
  | 'awaiting_review' // parked on a review task (see `awaitingStage`)
  | 'enforcing' // decided, applying the outcome
  | 'closed'
  | 'failed'; // a step failed for good; on-call was alerted

/** One finding or traceback that opened or joined the case. */
export interface CaseTrigger {
  key: string;
  type: 'finding' | 'traceback';
  severity: Severity;
  receivedAt: string;
  /** the event as delivered (findings carry reasons, metrics, batch and example calls) */
  event: Record<string, unknown>;
}

export interface RecordedDecision {
  stage: ReviewStage;
  decision: DecisionKind;
  reason: string;
  decidedBy: string;
  at: string;
}

export interface Evidence {
  customer: {
    id: string;
    name: string | null;
    vetting: Vetting;
    /** null when the customer is missing from the registry (treated as new) */
    onboardedAt: string | null;
    ageDays: number | null;
    status: CustomerStatus;
    trafficProfile: string | null;
  };
  findings: Array<{
    window: { start: string; end: string };
    severity: Severity;
    score: number;
    reasons: Reason[];
    metrics: Record<string, unknown>;
    batch: string | null;
    exampleCalls: Array<Record<string, unknown>>;
  }>;
  /** share of example calls per STIR/SHAKEN attestation level ('' = unsigned) */
  attestationMix: Record<string, number>;
  tracebacks: {
    /** tracebacks answered for this customer (history table plus the ones that triggered this case) */
    total: number;
    inLast365Days: number;
    highestRepeatCount: number;
    ids: string[];
  };
  gatheredAt: string;
}

export interface CaseRecord {
  caseId: string;
  customerId: string;
  status: CaseStatus;
  severity: Severity;
  openedAt: string;
  updatedAt: string;
  triggers: CaseTrigger[];
  evidence: Evidence | null;
  evidenceDigest: string | null;
  critical: { critical: boolean; why: string[] } | null;
  /** the customer's status before a critical suspension, so a dismissal can restore it */
  statusBeforeSuspension: CustomerStatus | null;
  awaitingStage: ReviewStage | null;
  decisions: RecordedDecision[];
  /** the decision being enforced once the review is over */
  outcome: DecisionKind | null;
  /** refused review attempts (e.g. approval by the analyst), kept for the record */
  refusals: Array<{ stage: ReviewStage; by: string; why: string; at: string }>;
  failure: { error: string; cause: string; at: string } | null;
  closedAt: string | null;
}

const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export function higherSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** Severities ranked strictly below `severity` (what a case may be raised from). */
export function severitiesBelow(severity: Severity): Severity[] {
  return (Object.keys(SEVERITY_RANK) as Severity[]).filter((s) => SEVERITY_RANK[s] < SEVERITY_RANK[severity]);
}

/** Step Functions execution names: 1-80 characters of letters, digits, `-` and `_`. */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The case id, which is also the execution name (docs/wiring.md): the customer id made safe (other
 * characters become `_`, at most 40 kept), the trigger kind, and 16 hex digits of the trigger key's
 * digest. Two customers whose ids sanitize alike still differ in the digest, which covers the full key.
 */
export function caseIdFor(customerId: string, triggerKey: string, digestHex: string): string {
  if (!/^[0-9a-f]{16,}$/.test(digestHex)) {
    throw new Error(`case id for ${triggerKey}: digest must be at least 16 lowercase hex digits`);
  }
  const customer = customerId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || '_';
  const kind = triggerKey.startsWith('traceback:') ? 'TB' : 'F';
  const caseId = `${customer}-${kind}-${digestHex.slice(0, 16)}`;
  // cannot fail with the parts above (at most 40 + 4 + 16 characters); kept so a change to them cannot
  // produce ids Step Functions would refuse long after the case was stored
  if (!EXECUTION_NAME.test(caseId)) throw new Error(`case id ${caseId} is not a valid execution name`);
  return caseId;
}

export function newCase(caseId: string, trigger: CaseTrigger, at: string): CaseRecord {
  const customerId = String(trigger.event.customer_id);
  return {
    caseId,
    customerId,
    status: 'gathering',
    severity: trigger.severity,
    openedAt: at,
    updatedAt: at,
    triggers: [trigger],
    evidence: null,
    evidenceDigest: null,
    critical: null,
    statusBeforeSuspension: null,
    awaitingStage: null,
    decisions: [],
    outcome: null,
    refusals: [],
    failure: null,
    closedAt: null,
  };
}
