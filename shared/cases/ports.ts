import type { Severity } from './events.ts';
import type { CaseRecord, CaseTrigger, CustomerStatus, ReviewStage, Vetting } from './model.ts';

/** Cases and their review task tokens (DynamoDB Cases table in AWS). */
export interface CaseStore {
  /**
   * Opens the case unless the customer already has an open one. Atomic: the case item and the
   * customer's open-case marker are written together, both only if absent.
   */
  open(record: CaseRecord): Promise<{ opened: true } | { opened: false; openCaseId: string }>;
  get(caseId: string): Promise<CaseRecord | null>;
  /**
   * Overwrites the case item (the state machine runs one step at a time per case), except the
   * triggers and the severity: only `open`, `attach` and `raiseSeverity` change those, so a step that
   * read the case before an event joined it cannot undo the join.
   */
  save(record: CaseRecord): Promise<void>;
  /**
   * Adds a refused decision to the case's refusals (and sets updatedAt), changing nothing else: a
   * reviewer's command records its refusal through here, and a reviewer may write only those fields.
   */
  addRefusal(caseId: string, refusal: CaseRecord['refusals'][number]): Promise<void>;
  /** adds a trigger unless one with the same key is already there; false when it was */
  attach(caseId: string, trigger: CaseTrigger): Promise<boolean>;
  /**
   * Raises the case's severity to `severity` when it is lower; false when it was already as high.
   * Atomic against other raises: a lower severity never overwrites a higher one.
   */
  raiseSeverity(caseId: string, severity: Severity): Promise<boolean>;
  /** frees the customer's open-case marker so the next finding starts a new case */
  release(customerId: string, caseId: string): Promise<void>;
  /** cases waiting for a person, oldest first */
  listOpen(): Promise<CaseRecord[]>;
  /** every case of one customer, open or closed, newest first (the customer's record of enforcement) */
  listForCustomer(customerId: string): Promise<CaseRecord[]>;
  saveToken(caseId: string, stage: ReviewStage, token: string): Promise<void>;
  getToken(caseId: string, stage: ReviewStage): Promise<string | null>;
  deleteToken(caseId: string, stage: ReviewStage): Promise<void>;
}

export interface CustomerProfile {
  customerId: string;
  name: string | null;
  vetting: Vetting;
  onboardedAt: string | null;
  trafficProfile: string | null;
  status: CustomerStatus;
  /** why the status last changed and when (a case's enforcement), where the registry kept it */
  statusReason?: string | null;
  statusChangedAt?: string | null;
}

/**
 * What else happens when a case terminates a customer (its identifiers join the do-not-onboard list,
 * so it cannot come back under another name). Runs after the status change; must be idempotent, since
 * a retried enforce step runs it again.
 */
export interface TerminationHook {
  terminated(customerId: string, why: string): Promise<void>;
}

/** The customer registry (Customers table). */
export interface CustomerRegistry {
  get(customerId: string): Promise<CustomerProfile | null>;
  /**
   * Sets the customer's status, with why and when; a customer already in `status` keeps the date and
   * reason of the change that put it there (calls after that date are judged as after enforcement).
   * With `expected`, writes only while the status is still `expected` (read by the caller before it
   * decided), else throws StatusChangedMeanwhile: two people acting at once cannot both write.
   */
  setStatus(
    customerId: string,
    status: CustomerStatus,
    why: string,
    expected?: CustomerStatus,
  ): Promise<void>;
}

export interface TracebackHistoryEntry {
  tracebackId: string;
  answeredAt: string;
  /** the call traced back: requests about one call count as one traceback (traceback/history.ts) */
  call?: string;
}

/** Tracebacks answered for a customer (Tracebacks table, `CUSTTB#<customer>` items). */
export interface TracebackHistory {
  forCustomer(customerId: string): Promise<TracebackHistoryEntry[]>;
}

export interface OnCallMessage {
  subject: string;
  text: string;
  caseId: string;
  customerId: string;
  severity: string;
}

export interface EnforcementEvent {
  type: 'enforcement';
  case_id: string;
  customer_id: string;
  action: 'warn' | 'suspend' | 'terminate' | 'reinstate';
  status: CustomerStatus;
  reason: string;
  decided_by: string[];
  at: string;
}

/** On-call notifications (OnCallTopic) and enforcement events for switch provisioning (SNS). */
export interface Notifier {
  notifyOnCall(message: OnCallMessage): Promise<void>;
  publishEnforcement(event: EnforcementEvent): Promise<void>;
}

/** Starts the escalation state machine; `already` when an execution with that name exists. */
export interface ExecutionStarter {
  start(caseId: string, input: { caseId: string; customerId: string }): Promise<'started' | 'already'>;
}

/** Answers a parked review task (Step Functions SendTaskSuccess / SendTaskFailure). */
export interface ReviewCallbacks {
  succeed(token: string, output: unknown): Promise<void>;
}
