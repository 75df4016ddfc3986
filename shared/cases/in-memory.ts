import type { Severity } from './events.ts';
import {
  type CaseRecord,
  type CaseTrigger,
  type CustomerStatus,
  higherSeverity,
  type ReviewStage,
} from './model.ts';
import type {
  CaseStore,
  CustomerProfile,
  CustomerRegistry,
  EnforcementEvent,
  Notifier,
  OnCallMessage,
  TracebackHistory,
  TracebackHistoryEntry,
} from './ports.ts';
import { StatusChangedMeanwhile } from './status-changed.ts';

/**
 * In-memory implementations of the case ports with the same contracts as the DynamoDB and SNS
 * adapters (one open case per customer, attach once per event key). Used offline and in tests.
 */
export class InMemoryCaseStore implements CaseStore {
  readonly cases = new Map<string, CaseRecord>();
  readonly openByCustomer = new Map<string, string>();
  readonly tokens = new Map<string, string>();

  async open(record: CaseRecord): Promise<{ opened: true } | { opened: false; openCaseId: string }> {
    if (this.cases.has(record.caseId)) return { opened: false, openCaseId: record.caseId };
    const open = this.openByCustomer.get(record.customerId);
    if (open) return { opened: false, openCaseId: open };
    this.cases.set(record.caseId, structuredClone(record));
    this.openByCustomer.set(record.customerId, record.caseId);
    return { opened: true };
  }

  async get(caseId: string): Promise<CaseRecord | null> {
    const found = this.cases.get(caseId);
    return found ? structuredClone(found) : null;
  }

  async save(record: CaseRecord): Promise<void> {
    const stored = this.cases.get(record.caseId);
    // as the DynamoDB store: triggers and severity are only changed by open, attach and raiseSeverity
    this.cases.set(
      record.caseId,
      stored
        ? { ...structuredClone(record), triggers: stored.triggers, severity: stored.severity }
        : structuredClone(record),
    );
  }

  async addRefusal(caseId: string, refusal: CaseRecord['refusals'][number]): Promise<void> {
    const found = this.cases.get(caseId);
    if (!found) throw new Error(`case ${caseId} does not exist`);
    found.refusals.push(structuredClone(refusal));
    found.updatedAt = refusal.at;
  }

  async attach(caseId: string, trigger: CaseTrigger): Promise<boolean> {
    const found = this.cases.get(caseId);
    if (!found) throw new Error(`case ${caseId} does not exist`);
    if (found.triggers.some((t) => t.key === trigger.key)) return false;
    found.triggers.push(structuredClone(trigger));
    return true;
  }

  async raiseSeverity(caseId: string, severity: Severity): Promise<boolean> {
    const found = this.cases.get(caseId);
    if (!found) throw new Error(`case ${caseId} does not exist`);
    if (higherSeverity(found.severity, severity) === found.severity) return false;
    found.severity = severity;
    return true;
  }

  async release(customerId: string, caseId: string): Promise<void> {
    if (this.openByCustomer.get(customerId) === caseId) this.openByCustomer.delete(customerId);
  }

  async listForCustomer(customerId: string): Promise<CaseRecord[]> {
    return [...this.cases.values()]
      .filter((c) => c.customerId === customerId)
      .sort((a, b) => b.openedAt.localeCompare(a.openedAt))
      .map((c) => structuredClone(c));
  }

  async listOpen(): Promise<CaseRecord[]> {
    return [...this.cases.values()]
      .filter((c) => c.status !== 'closed' && c.status !== 'failed')
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
      .map((c) => structuredClone(c));
  }

  async saveToken(caseId: string, stage: ReviewStage, token: string): Promise<void> {
    this.tokens.set(`${caseId}|${stage}`, token);
  }

  async getToken(caseId: string, stage: ReviewStage): Promise<string | null> {
    return this.tokens.get(`${caseId}|${stage}`) ?? null;
  }

  async deleteToken(caseId: string, stage: ReviewStage): Promise<void> {
    this.tokens.delete(`${caseId}|${stage}`);
  }
}

export class InMemoryCustomerRegistry implements CustomerRegistry {
  readonly profiles = new Map<string, CustomerProfile>();
  readonly changes: Array<{ customerId: string; status: CustomerStatus; why: string }> = [];

  constructor(profiles: CustomerProfile[] = []) {
    for (const p of profiles) this.profiles.set(p.customerId, { ...p });
  }

  async get(customerId: string): Promise<CustomerProfile | null> {
    const found = this.profiles.get(customerId);
    return found ? { ...found } : null;
  }

  async setStatus(
    customerId: string,
    status: CustomerStatus,
    why: string,
    expected?: CustomerStatus,
  ): Promise<void> {
    const found = this.profiles.get(customerId);
    if (expected !== undefined && (found?.status ?? 'active') !== expected)
      throw new StatusChangedMeanwhile(customerId, expected, found?.status ?? 'active');
    const current = this.profiles.get(customerId) ?? {
      customerId,
      name: null,
      vetting: 'new' as const,
      onboardedAt: null,
      trafficProfile: null,
      status: 'active' as const,
    };
    if (current.status === status && this.profiles.has(customerId)) {
      // the status stays, with its date; the latest decision's reason is recorded
      this.profiles.set(customerId, { ...current, statusReason: why });
      return;
    }
    this.profiles.set(customerId, {
      ...current,
      status,
      statusReason: why,
      statusChangedAt: new Date().toISOString(),
    });
    this.changes.push({ customerId, status, why });
  }

  async withStatus(status: CustomerStatus): Promise<string[]> {
    return [...this.profiles.values()]
      .filter((p) => p.status === status)
      .map((p) => p.customerId)
      .sort();
  }
}

export class InMemoryTracebackHistory implements TracebackHistory {
  readonly entries = new Map<string, TracebackHistoryEntry[]>();

  async forCustomer(customerId: string): Promise<TracebackHistoryEntry[]> {
    return [...(this.entries.get(customerId) ?? [])];
  }
}

export class RecordingNotifier implements Notifier {
  readonly onCall: OnCallMessage[] = [];
  readonly enforcement: EnforcementEvent[] = [];

  async notifyOnCall(message: OnCallMessage): Promise<void> {
    this.onCall.push(message);
  }

  async publishEnforcement(event: EnforcementEvent): Promise<void> {
    this.enforcement.push(event);
  }
}
