import type { z } from 'zod';
import { appendAudit, appendAuditAfter, auditStreams } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import type { AuditEntry, AuditRecord } from '../audit/record.ts';
import { samePerson } from '../audit/same-person.ts';
import { barredBecause } from '../kyc/standing.ts';
import { reviewDecisionSchema } from './decision.ts';
import type { CaseRecord, CustomerStatus } from './model.ts';
import type { CaseStore, CustomerProfile, CustomerRegistry, Notifier } from './ports.ts';
import {
  REINSTATEMENT_ACTIONS,
  type ReinstatementRequest,
  readReinstatementRequest,
  requestLapsedBecause,
} from './reinstatement-request.ts';
import { StatusChangedMeanwhile } from './status-changed.ts';

export class ReinstatementRefused extends Error {
  override name = 'ReinstatementRefused';
}

/** The reason and person rules are the reviews': a reason a regulator can read, a person not named 'system'. */
const reinstatementSchema = reviewDecisionSchema.pick({ reason: true, decidedBy: true });
const personSchema = reviewDecisionSchema.pick({ decidedBy: true });

export interface ReinstatementDeps {
  customers: CustomerRegistry;
  cases: Pick<CaseStore, 'listForCustomer'>;
  notifier: Notifier;
  audit: AuditStore;
  now?: () => Date;
}

/*
 * Lifting a suspension (or a warning) that a case decided takes two people (four eyes): one requests
 * it with the reason (recorded; nothing changes yet), another approves it, and only the approval sets
 * the customer `active` again (or the status the case decision that asked for it leads to) in the
 * Customers table, tells switch provisioning with an enforcement event and records who and why in the
 * customer's audit stream. Another person, or the one who asked (withdrawing it), may instead decline
 * it, with a reason. Refused, saying why: a termination (final: the business can only come back as a
 * new customer, which an executive approves, as onboarding says), a customer with a case still open
 * (its review decides), an active or unknown customer, an approval by the person who requested it, and
 * one made after the status changed.
 */

/** One person asks for the customer's reinstatement: recorded, the customer stays as it is. */
export async function requestReinstatement(
  input: { customerId: string; reason: unknown; requestedBy: string },
  deps: Omit<ReinstatementDeps, 'notifier'>,
): Promise<{ request: ReinstatementRequest; caseId: string | null }> {
  const { customerId } = input;
  const { reason, decidedBy: requestedBy } = parsed(customerId, reinstatementSchema, {
    reason: input.reason,
    decidedBy: input.requestedBy,
  });
  const { profile, lastCase } = await reinstatable(customerId, deps);
  const { head, request: pending } = await readReinstatementRequest(deps.audit, customerId);
  // a request made for a status since changed no longer holds: a new one takes its place
  if (pending && !requestLapsedBecause(pending, profile))
    throw new ReinstatementRefused(
      `customer ${customerId}: a reinstatement is already waiting, requested by ${pending.requestedBy} ` +
        `on ${pending.requestedAt}: another person approves it (traceguard customers reinstate ${customerId} --approve) ` +
        `or declines it (--decline --reason "...")`,
    );
  const request = await appendRequest(deps, customerId, head, {
    requestedBy,
    reason,
    profile,
    caseId: lastCase,
    supersedes: pending,
  });
  return { request, caseId: lastCase };
}

/**
 * A case's decision milder than the suspension its customer is under (a dismissal of a case that
 * suspended it at once, a warning) does not lift the suspension by itself: lifting it takes two people,
 * as any reinstatement does. The decision is recorded as the reinstatement request of the person who
 * made it, to the status it leads to (`restoreTo`): the customer stays suspended until another person
 * approves it (traceguard customers reinstate --approve). Made while the case is still open (it is
 * the case's own decision), so unlike requestReinstatement it does not wait for the case to close. A
 * retried step finds its request waiting and writes nothing more.
 */
export async function requestReinstatementForDecision(
  input: {
    customerId: string;
    caseId: string;
    requestedBy: string;
    reason: string;
    restoreTo: CustomerStatus;
  },
  deps: Pick<ReinstatementDeps, 'customers' | 'audit' | 'now'>,
): Promise<ReinstatementRequest> {
  const { customerId, caseId } = input;
  const profile = await deps.customers.get(customerId);
  if (!profile)
    throw new ReinstatementRefused(`customer ${customerId} is not in the registry: nothing to keep`);
  const { head, request: pending } = await readReinstatementRequest(deps.audit, customerId);
  if (pending && pending.caseId === caseId && !requestLapsedBecause(pending, profile)) return pending;
  return appendRequest(deps, customerId, head, {
    requestedBy: input.requestedBy,
    reason: input.reason,
    profile,
    caseId,
    supersedes: pending,
    decidedIn: { caseId, restoreTo: input.restoreTo },
  });
}

/** The request's record in the customer's stream, right after the head read (see appendAfter). */
async function appendRequest(
  deps: Pick<ReinstatementDeps, 'audit' | 'now'>,
  customerId: string,
  head: AuditRecord | null,
  request: {
    requestedBy: string;
    reason: string;
    profile: CustomerProfile;
    caseId: string | null;
    supersedes: ReinstatementRequest | null;
    /** the case decision that asks for it, and the status it leads to */
    decidedIn?: { caseId: string; restoreTo: CustomerStatus };
  },
): Promise<ReinstatementRequest> {
  const { profile, decidedIn } = request;
  const record = await appendAfter(deps, customerId, head, {
    actor: { role: 'analyst', id: request.requestedBy },
    action: REINSTATEMENT_ACTIONS.requested,
    reason: request.reason,
    customerId,
    ...(request.caseId ? { caseId: request.caseId } : {}),
    details: {
      statusBefore: profile.status,
      statusChangedAt: profile.statusChangedAt ?? null,
      ...(request.supersedes ? { supersedes: request.supersedes.seq } : {}),
      ...(decidedIn ? { restoreTo: decidedIn.restoreTo, decidedInCase: decidedIn.caseId } : {}),
    },
  });
  return {
    seq: record.seq,
    requestedBy: request.requestedBy,
    requestedAt: record.at,
    reason: request.reason,
    statusBefore: profile.status,
    statusChangedAt: profile.statusChangedAt ?? null,
    restoreTo: decidedIn?.restoreTo ?? 'active',
    caseId: decidedIn?.caseId ?? null,
  };
}

/**
 * Another person approves the pending request: the customer is `active` again, written only while
 * its status is still the one the request was made for (so of two people approving at once, or a
 * case suspending it again meanwhile, the second is refused), then the enforcement event, then the
 * audit record naming both people. A decline made at the very moment of an approval is not held off
 * by the status write: both are recorded, the decline before the approval, and the customer is active.
 */
export async function approveReinstatement(
  input: { customerId: string; approvedBy: string },
  deps: ReinstatementDeps,
): Promise<{ before: CustomerStatus; status: CustomerStatus; requestedBy: string }> {
  const { customerId } = input;
  const { decidedBy: approvedBy } = parsed(customerId, personSchema, { decidedBy: input.approvedBy });
  const { profile, lastCase } = await reinstatable(customerId, deps);
  const { request } = await readReinstatementRequest(deps.audit, customerId);
  if (!request)
    throw new ReinstatementRefused(
      `customer ${customerId}: no reinstatement is waiting for approval: one person requests it (traceguard customers reinstate ${customerId} --reason "..."), another approves it`,
    );
  if (samePerson(request.requestedBy, approvedBy))
    throw new ReinstatementRefused(
      `customer ${customerId}: ${approvedBy} requested this reinstatement and cannot also approve it: another person must`,
    );
  const lapsed = requestLapsedBecause(request, profile);
  if (lapsed)
    throw new ReinstatementRefused(
      `customer ${customerId}: ${lapsed}: the request no longer holds; decline it, and request again if still right`,
    );
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  const before = profile.status;
  const status = request.restoreTo;
  const why = `reinstated by ${approvedBy}, requested by ${request.requestedBy}: ${request.reason}`;
  try {
    // only over the status read above: of two people reinstating at once, the second is refused
    await deps.customers.setStatus(customerId, status, why, before);
  } catch (e) {
    if (e instanceof StatusChangedMeanwhile) throw new ReinstatementRefused(e.message);
    throw e;
  }
  await deps.notifier.publishEnforcement({
    type: 'enforcement',
    // the case that put the customer where it is, for switch provisioning (none: imported that way)
    case_id: lastCase ?? '',
    customer_id: customerId,
    action: 'reinstate',
    status,
    reason: why,
    decided_by: [request.requestedBy, approvedBy],
    at,
  });
  await appendAudit(
    deps.audit,
    auditStreams.forCustomer(customerId),
    {
      actor: { role: 'analyst', id: approvedBy },
      action: REINSTATEMENT_ACTIONS.approved,
      reason: request.reason,
      customerId,
      ...(lastCase ? { caseId: lastCase } : {}),
      details: {
        statusBefore: before,
        statusAfter: status,
        requestedBy: request.requestedBy,
        requestedAt: request.requestedAt,
        requestSeq: request.seq,
      },
    },
    () => new Date(at),
  );
  return { before, status, requestedBy: request.requestedBy };
}

/**
 * The pending request is declined, with why: recorded, the customer stays as it is. Whoever
 * requested it may decline it too (a withdrawal): that lifts nothing, so it takes no second person.
 */
export async function declineReinstatement(
  input: { customerId: string; reason: unknown; declinedBy: string },
  deps: Pick<ReinstatementDeps, 'audit' | 'now'>,
): Promise<{ request: ReinstatementRequest }> {
  const { customerId } = input;
  const { reason, decidedBy: declinedBy } = parsed(customerId, reinstatementSchema, {
    reason: input.reason,
    decidedBy: input.declinedBy,
  });
  const { head, request } = await readReinstatementRequest(deps.audit, customerId);
  if (!request)
    throw new ReinstatementRefused(`customer ${customerId}: no reinstatement is waiting: nothing to decline`);
  await appendAfter(deps, customerId, head, {
    actor: { role: 'analyst', id: declinedBy },
    action: REINSTATEMENT_ACTIONS.declined,
    reason,
    customerId,
    details: { requestedBy: request.requestedBy, requestedAt: request.requestedAt, requestSeq: request.seq },
  });
  return { request };
}

function parsed<T>(customerId: string, schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ReinstatementRefused(
    `customer ${customerId}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
  );
}

/** The customer as it stands, when a reinstatement may be asked for or approved; refused otherwise. */
async function reinstatable(
  customerId: string,
  deps: Pick<ReinstatementDeps, 'customers' | 'cases'>,
): Promise<{ profile: CustomerProfile; lastCase: string | null }> {
  const profile = await deps.customers.get(customerId);
  if (!profile)
    throw new ReinstatementRefused(`customer ${customerId} is not in the registry: nothing to reinstate`);
  const barred = barredBecause(profile);
  if (barred) throw new ReinstatementRefused(`customer ${customerId} cannot be reinstated: ${barred}`);
  if (profile.status === 'active')
    throw new ReinstatementRefused(`customer ${customerId} is active: nothing to reinstate`);
  const cases: CaseRecord[] = await deps.cases.listForCustomer(customerId);
  const open = cases.find((c) => c.status !== 'closed' && c.status !== 'failed');
  if (open)
    throw new ReinstatementRefused(
      `customer ${customerId} has case ${open.caseId} open (${open.awaitingStage ? `waiting for the ${open.awaitingStage} review` : open.status}): ` +
        `its review decides the customer's status first: traceguard cases decide ${open.caseId}`,
    );
  return { profile, lastCase: cases[0]?.caseId ?? null };
}

/** Appends right after the head read, or refuses: someone else acted on the request meanwhile. */
async function appendAfter(
  deps: Pick<ReinstatementDeps, 'audit' | 'now'>,
  customerId: string,
  head: AuditRecord | null,
  entry: AuditEntry,
): Promise<AuditRecord> {
  const record = await appendAuditAfter(
    deps.audit,
    auditStreams.forCustomer(customerId),
    head,
    entry,
    deps.now,
  );
  if (!record)
    throw new ReinstatementRefused(
      `customer ${customerId}: its reinstatement record changed meanwhile (someone else acted on it): look again with traceguard customers status ${customerId}`,
    );
  return record;
}
