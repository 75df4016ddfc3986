import { UNATTRIBUTED_CUSTOMER } from '../cdr/attribution.ts';
import { isoUtc } from '../cdr/time.ts';
import type { SwitchConfigSource } from '../config/switches.ts';
import type { TracebackAnswer } from './answer.ts';
import type { ManifestReader } from './batches.ts';
import { type RepeatRule, tracebackConsequence } from './consequence.ts';
import { DEFAULT_SLA_HOURS, deadlineMs } from './deadline.ts';
import { type BatchOpener, type LookupSettings, lookupWithManifest } from './lookup.ts';
import type { TracebackEventPublisher, TracebackStore } from './ports.ts';
import type { TracebackRecord } from './record.ts';
import {
  differentCall,
  TracebackConflictError,
  type TracebackRequest,
  validateTracebackRequest,
} from './request.ts';

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
 * so a second delivery or a resubmission finds it); an answered request is not searched again, and a
 * request under a known id for another call is refused (TracebackConflictError). Each
 * later step is idempotent, so a delivery that crashed half way finishes the work on redelivery:
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
  if (record.status === 'answered' && record.answer && (record.eventPublishedAt || !record.customerId)) {
    return { outcome: 'duplicate', answer: record.answer };
  }

  let current = record;
  if (current.status !== 'answered' || !current.answer) {
    const switches = deps.switches ? await deps.switches.switches() : settings.switches;
    const answer = await lookupWithManifest(request, deps.manifest, deps.opener, { ...settings, switches });
    const answeredAt = isoUtc(now());
    const first = answer.matches[0];
    // a call nobody could be attributed to is answered with its trunk, but names no customer to escalate
    const named = first?.customer_id === UNATTRIBUTED_CUSTOMER ? { ...first, customer_id: '' } : first;
    await deps.store.saveAnswer(request.tracebackId, {
      answer,
      answeredAt,
      customerId: named?.customer_id || undefined,
      trunkId: named?.trunk_id || undefined,
    });
    current = {
      ...current,
      status: 'answered',
      answer,
      answeredAt,
      customerId: named?.customer_id || undefined,
      trunkId: named?.trunk_id || undefined,
    };
  }
  const answer = current.answer as TracebackAnswer;
  if (!current.customerId) return { outcome: 'answered', answer, published: false };

  // consequences: the customer's history (feeds TRACEBACK_HISTORY), then the event for escalation
  const answeredAt = current.answeredAt ?? isoUtc(now());
  await deps.store.addHistory(current.customerId, { answeredAt, tracebackId: request.tracebackId });
  const history = await deps.store.history(current.customerId);
  const consequence = tracebackConsequence(
    history.map((h) => Date.parse(h.answeredAt)),
    Date.parse(answeredAt),
    settings.repeatRule,
  );
  await deps.store.saveAnswer(request.tracebackId, {
    answer,
    answeredAt,
    customerId: current.customerId,
    trunkId: current.trunkId,
    repeatCount: consequence.repeatCount,
    severity: consequence.severity,
  });
  await deps.events.publish({
    type: 'traceback',
    traceback_id: request.tracebackId,
    customer_id: current.customerId,
    trunk_id: current.trunkId ?? '',
    repeat_count: consequence.repeatCount,
    severity: consequence.severity,
    answered_at: answeredAt,
    status: 'found',
  });
  await deps.store.markEventPublished(request.tracebackId, isoUtc(now()));
  return { outcome: 'answered', answer, published: true };
}
