import { appendAudit, auditStreams } from '../audit/append.ts';
import { evidenceDigest } from '../audit/chain.ts';
import type { AuditStore } from '../audit/ports.ts';
import { type EscalationEvent, eventKey } from './events.ts';
import { type CaseTrigger, caseIdFor, newCase } from './model.ts';
import type { CaseStore, CustomerRegistry, ExecutionStarter, Notifier } from './ports.ts';
import { redactPhoneNumbers } from './redact.ts';
import { suspendAtOnce } from './suspend.ts';

export interface StartCaseDeps {
  cases: CaseStore;
  starter: ExecutionStarter;
  audit: AuditStore;
  /** a critical event joining a reviewed case suspends its customer (suspendIfJoinedCritical) */
  customers: CustomerRegistry;
  notifier: Notifier;
  now?: () => Date;
}

export type StartCaseOutcome =
  | { outcome: 'started'; caseId: string }
  | { outcome: 'attached'; caseId: string; duplicate: boolean };

/**
 * The id of the case this event opens when its customer has no open case: derived from the event,
 * so a redelivery names the same case (the on-call notifier uses it to recognise that case too).
 */
export function caseIdOpenedBy(event: EscalationEvent): string {
  const key = eventKey(event);
  return caseIdFor(event.customer_id, key, evidenceDigest({ key }));
}

/**
 * One open case per customer. The case id is derived from the triggering event, so a redelivered
 * message opens (and names the execution of) the same case; the store refuses a second open case for
 * the customer, and the event then joins the open case instead, raising the case's severity when
 * the event is more severe (a repeat traceback at high severity makes the case high).
 */
export async function startOrAttachCase(
  event: EscalationEvent,
  deps: StartCaseDeps,
): Promise<StartCaseOutcome> {
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  const key = eventKey(event);
  const trigger: CaseTrigger = {
    key,
    type: event.type,
    severity: event.severity,
    receivedAt: at,
    event: event as unknown as Record<string, unknown>,
  };
  const caseId = caseIdOpenedBy(event);
  const opened = await deps.cases.open(newCase(caseId, trigger, at));

  if (opened.opened || opened.openCaseId === caseId) {
    // a redelivery of the message that opened the case lands here too: starting is idempotent
    const started = await deps.starter.start(caseId, { caseId, customerId: event.customer_id });
    if (opened.opened) {
      await appendAudit(
        deps.audit,
        auditStreams.forCase(caseId),
        {
          actor: { role: 'system', id: 'system' },
          action: 'case.opened',
          reason: `${event.type} ${key} (severity ${event.severity})`,
          caseId,
          customerId: event.customer_id,
          evidenceDigest: evidenceDigest(event),
          details: { execution: started },
        },
        now,
      );
    }
    return { outcome: 'started', caseId };
  }

  const added = await deps.cases.attach(opened.openCaseId, trigger);
  if (added) {
    await appendAudit(
      deps.audit,
      auditStreams.forCase(opened.openCaseId),
      {
        actor: { role: 'system', id: 'system' },
        action: 'case.attached',
        reason: `${event.type} ${key} (severity ${event.severity}) joined the open case`,
        caseId: opened.openCaseId,
        customerId: event.customer_id,
        evidenceDigest: evidenceDigest(event),
      },
      now,
    );
  }
  // also after a duplicate: a redelivery may follow a crash between the attach and the raise
  const raised = await deps.cases.raiseSeverity(opened.openCaseId, event.severity);
  if (raised) {
    await appendAudit(
      deps.audit,
      auditStreams.forCase(opened.openCaseId),
      {
        actor: { role: 'system', id: 'system' },
        action: 'case.severity_raised',
        reason: `${event.type} ${key} raised the case to severity ${event.severity}`,
        caseId: opened.openCaseId,
        customerId: event.customer_id,
        evidenceDigest: evidenceDigest(event),
        details: { severity: event.severity },
      },
      now,
    );
  }
  await suspendIfJoinedCritical(opened.openCaseId, event, key, deps, now);
  return { outcome: 'attached', caseId: opened.openCaseId, duplicate: !added };
}

/**
 * A critical finding or traceback that joins an open case after its evidence was gathered suspends
 * the customer at once, as it would have had it opened the case: the workflow's own critical check
 * is behind it, and the case may wait days for its review while the customer keeps calling. Before
 * the evidence is gathered the workflow sees the event itself; a case already critical, or whose
 * customer is already suspended, or that is being enforced or closed, is left as it is. Decided from
 * the case as stored, not from whether this delivery raised it, so a redelivery after a crash between
 * the raise and the suspension still suspends; and a redelivery of the event whose suspension a crash
 * cut short (the case already names it as critical) finishes it: suspendAtOnce does what is left.
 */
async function suspendIfJoinedCritical(
  caseId: string,
  event: EscalationEvent,
  key: string,
  deps: StartCaseDeps,
  now: () => Date,
): Promise<void> {
  if (event.severity !== 'critical') return;
  const record = await deps.cases.get(caseId);
  if (!record || record.evidence === null) return;
  if (record.status !== 'gathering' && record.status !== 'awaiting_review') return;
  const reason = `${event.type} ${key} joined the case at severity critical`;
  const resumed = record.critical?.why.includes(reason) ?? false;
  if (!resumed && (record.critical?.critical || record.statusBeforeSuspension !== null)) return;
  const critical = resumed
    ? { critical: true, why: record.critical?.why ?? [reason] }
    : { critical: true, why: [...(record.critical?.why ?? []), reason] };
  // paged before the suspension's audit record, which marks it done: a crash pages twice, never not
  await suspendAtOnce(
    { ...deps, now },
    { ...record, critical },
    `critical case ${caseId}: ${reason}`,
    (status) =>
      deps.notifier.notifyOnCall({
        subject:
          status === 'terminated'
            ? `Traceguard case ${caseId}: critical for customer ${event.customer_id}, terminated already`
            : `Traceguard case ${caseId}: customer ${event.customer_id} ${status} at once`,
        text: redactPhoneNumbers(
          status === 'terminated'
            ? `Case ${caseId}, customer ${event.customer_id}: ${reason}; the customer is terminated already, so nothing was suspended: look at how its calls still reach the network.\nReview: traceguard cases show ${caseId}`
            : `Case ${caseId}, customer ${event.customer_id}: ${reason}; the customer is ${status} pending review.\nReview: traceguard cases show ${caseId}`,
        ),
        caseId,
        customerId: event.customer_id,
        severity: 'critical',
      }),
  );
}
