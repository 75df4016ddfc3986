import { UNATTRIBUTED_CUSTOMER } from '../cdr/attribution.ts';
import { isoUtc } from '../cdr/time.ts';
import type { SwitchConfigSource } from '../config/switches.ts';
import type { TracebackAnswer } from './answer.ts';
import type { ManifestReader } from './batches.ts';
import { type RepeatRule, tracebackConsequence } from './consequence.ts';
import { DEFAULT_SLA_HOURS, deadlineMs } from './deadline.ts';
import { distinctCalls, earlierTracebackOfCall, tracedCall } from './history.ts';
import { type BatchOpener, type LookupSettings, lookupWithManifest } from './lookup.ts';
import type { AnswerUpdate, HistoryEntry, TracebackEventPublisher, TracebackStore } from './ports.ts';
import type { TracebackRecord } from './record.ts';
import {
  differentCall,
  TracebackConflictError,
  type TracebackRequest,
  validateTracebackRequest,
} from './request.ts';
import { gainedBatches, mayResearch } from './research.ts';

export interface IntakeDeps {
  store: TracebackStore;
  manifest: ManifestReader;
  opener: BatchOpener;
  events: TracebackEventPublisher;
  /** per-switch format and zone (reference/switches.csv); without it every batch uses the settings */
  switches?: SwitchConfigSource;
  now?: () => number;
}

export interface IntakeSettings extends LookupSettings {
  repeatRule?: RepeatRule;
  /** hours after the deadline a `not_found` answer is still searched again when late batches arrive */
  correctionHours?: number;
}

export type IntakeOutcome =
  | { outcome: 'answered'; answer: TracebackAnswer; published: boolean }
  | { outcome: 'duplicate'; answer: TracebackAnswer };

export function newRecord(request: TracebackRequest, slaHours: number = DEFAULT_SLA_HOURS): TracebackRecord {
  return {
    tracebackId: request.tracebackId,
    status: 'open',
    receivedAt: isoUtc(request.receivedMs),
    deadline: isoUtc(deadlineMs(request.receivedMs, slaHours)),
    callTime: isoUtc(request.callMs),
    requester: request.requester,
    campaign: request.campaign,
    request: request.document,
    alertsSent: [],
  };
}

/**
 * Throws TracebackConflictError when a stored request under this id names another call than the one
 * received now. Intake checks it on every delivery; `traceguard traceback submit` checks it before
 * sending, so a conflicting request is refused at the prompt instead of in the dead-letter queue.
 */
export function refuseAnotherCall(request: TracebackRequest, stored: TracebackRecord): void {
  // a record stored before requests were kept has nothing to compare with
  if (!stored.request) return;
  const fields = differentCall(
    validateTracebackRequest(stored.request, `stored ${stored.tracebackId}`),
    request,
  );
  if (fields.length > 0) throw new TracebackConflictError(request.tracebackId, stored.receivedAt, fields);
}

/**
 * One traceback request, delivered at least once. The request is stored first (conditional on its id,
 * so a second delivery or a resubmission finds it), its first answer is saved only while it has none
 * (of two deliveries searching at once, one answer stands); an answered request is not searched again, unless
 * its answer was `not_found` and batches of its time arrived since (while a correction is still due,
 * research.ts), and a request under a known id for another call is refused (TracebackConflictError).
 * Each later step is idempotent, so a delivery that crashed half way finishes the work on redelivery:
 * answer -> history item -> event (at most one event per traceback once marked published).
 */
export async function handleTracebackRequest(
  request: TracebackRequest,
  deps: IntakeDeps,
  settings: IntakeSettings = {},
): Promise<IntakeOutcome> {
  const now = deps.now ?? Date.now;
  const { created, record } = await deps.store.create(newRecord(request, settings.slaHours));
  if (!created) refuseAnotherCall(request, record);

  let current = record;
  let searched = false;
  if (current.status !== 'answered' || !current.answer) {
    current = await answerFirst(request, current, deps, settings, now);
    searched = true;
  } else if (
    mayResearch(current, now(), settings.correctionHours) &&
    (await gainedBatches(request, current.answer, deps.manifest, settings.toleranceS))
  ) {
    current = await searchAgain(request, current, deps, settings, now);
    searched = true;
  }
  const answer = current.answer as TracebackAnswer;
  if (current.eventPublishedAt || !current.customerId)
    return searched ? { outcome: 'answered', answer, published: false } : { outcome: 'duplicate', answer };

  // consequences: the customer's history (feeds TRACEBACK_HISTORY), then the event for escalation
  const answeredAt = current.answeredAt ?? isoUtc(now());
  const call = tracedCall(answer.matches[0]);
  await deps.store.addHistory(current.customerId, {
    answeredAt,
    tracebackId: request.tracebackId,
    ...(call ? { call } : {}),
  });
  const history = await deps.store.history(current.customerId);
  // a call traced back before under another id counts once, and is not escalated a second time
  const earlier = earlierTracebackOfCall(history, request.tracebackId);
  const consequence = tracebackConsequence(
    distinctCalls(history).map((h) => Date.parse(h.answeredAt)),
    Date.parse(answeredAt),
    settings.repeatRule,
  );
  const recorded = earlier ? sameCallAs(answer, earlier) : answer;
  await deps.store.saveAnswer(request.tracebackId, {
    answer: recorded,
    answeredAt,
    customerId: current.customerId,
    trunkId: current.trunkId,
    repeatCount: consequence.repeatCount,
    severity: consequence.severity,
  });
  if (earlier)
    return searched
      ? { outcome: 'answered', answer: recorded, published: false }
      : { outcome: 'duplicate', answer: recorded };
  await deps.events.publish({
    type: 'traceback',
    traceback_id: request.tracebackId,
    customer_id: current.customerId,
    trunk_id: current.trunkId ?? '',
    repeat_count: consequence.repeatCount,
    severity: consequence.severity,
    answered_at: answeredAt,
    status: 'found',
    // a correction of a `not_found` answer given earlier: on-call, the audit log and the case say so
    ...(current.firstAnswer ? { revised_from: 'not_found' as const } : {}),
  });
  await deps.store.markEventPublished(request.tracebackId, isoUtc(now()));
  return { outcome: 'answered', answer, published: true };
}

/** The answer saying its call was traced back before, under `earlier` (once, however often it is saved). */
function sameCallAs(answer: TracebackAnswer, earlier: HistoryEntry): TracebackAnswer {
  if (answer.same_call_as === earlier.tracebackId) return answer;
  return {
    ...answer,
    note: `${answer.note}; this call was already traced back under ${earlier.tracebackId} (answered ${earlier.answeredAt}): the customer's traceback history counts it once`,
    same_call_as: earlier.tracebackId,
  };
}

/** Searches the batches the manifest lists for the request's window; the answer names the first match's customer. */
async function search(
  request: TracebackRequest,
  deps: IntakeDeps,
  settings: IntakeSettings,
  now: () => number,
): Promise<AnswerUpdate> {
  const switches = deps.switches ? await deps.switches.switches() : settings.switches;
  const answer = await lookupWithManifest(request, deps.manifest, deps.opener, { ...settings, switches });
  const first = answer.matches[0];
  // a call nobody could be attributed to is answered with its trunk, but names no customer to escalate
  const named = first?.customer_id === UNATTRIBUTED_CUSTOMER ? { ...first, customer_id: '' } : first;
  return {
    answer,
    answeredAt: isoUtc(now()),
    customerId: named?.customer_id || undefined,
    trunkId: named?.trunk_id || undefined,
  };
}

/**
 * The request's first answer. Two deliveries of a new request can search at once (SQS delivers twice,
 * two invocations run in parallel): only one answer is saved, and the other delivery carries on from
 * it, so both add the same history item and publish the same event.
 */
async function answerFirst(
  request: TracebackRequest,
  current: TracebackRecord,
  deps: IntakeDeps,
  settings: IntakeSettings,
  now: () => number,
): Promise<TracebackRecord> {
  const update = await search(request, deps, settings, now);
  if (await deps.store.saveFirstAnswer(request.tracebackId, update))
    return { ...current, ...update, status: 'answered' };
  const stored = await deps.store.get(request.tracebackId);
  if (!stored?.answer)
    throw new Error(`traceback ${request.tracebackId}: answered, but no answer could be read back`);
  return stored;
}

/**
 * A `not_found` answer whose window gained batches, searched again. The new answer replaces it only
 * if no other search replaced it meanwhile; when one did, its record is carried on from (its history
 * item and event are idempotent, so finishing them twice counts once).
 */
async function searchAgain(
  request: TracebackRequest,
  current: TracebackRecord,
  deps: IntakeDeps,
  settings: IntakeSettings,
  now: () => number,
): Promise<TracebackRecord> {
  const given = { answer: current.answer as TracebackAnswer, answeredAt: current.answeredAt ?? '' };
  const update = await search(request, deps, settings, now);
  if (await deps.store.reviseAnswer(request.tracebackId, given.answeredAt, update, given))
    return { ...current, ...update, firstAnswer: current.firstAnswer ?? given };
  return (await deps.store.get(request.tracebackId)) ?? current;
}
