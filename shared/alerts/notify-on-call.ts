import { type EscalationEvent, escalationEventSchema, eventKey } from '../cases/events.ts';
import { caseIdOpenedBy } from '../cases/start-case.ts';
import { severityRank } from '../detect/finding.ts';
import { claimEpisode } from './claim-episode.ts';
import type { EpisodePolicy } from './episode.ts';
import { alertFor } from './on-call-alert.ts';
import type { AlertPublisher, EpisodeStore, OpenCases } from './ports.ts';

export interface NotifyDeps {
  episodes: EpisodeStore;
  cases: OpenCases;
  publisher: AlertPublisher;
  policy: EpisodePolicy;
  now?: () => number;
}

export type NotifyOutcome = {
  customerId: string;
  severity: string;
  caseId: string | null;
} & (
  | { outcome: 'sent'; why: string }
  /** the case this event opens pages on-call itself ("case ... needs review"), naming the case */
  | { outcome: 'left_to_case'; why: string }
  | { outcome: 'suppressed'; why: string }
);

/**
 * Whether the case starter opens (or joins) a case for this event: what the EscalationQueue lets
 * through (docs/wiring.md): findings from high up, and every traceback answered for a customer.
 */
function reachesCase(event: EscalationEvent): boolean {
  return event.type === 'traceback' || severityRank(event.severity) >= severityRank('high');
}

function customerEvent(body: string): EscalationEvent | null {
  try {
    const parsed = escalationEventSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * One AlertQueue message: page on-call once per customer episode (episode.ts). A paging event
 * names the customer's open case. An event that opens a case does not page here: the case starter's
 * "needs review" notification, which names the case, is that page, so on-call hears of it once; the
 * same holds for the customer's first paging event when another event of it opened the case.
 * A traceback answer that corrects a `not_found` one always pages, once, saying to send the
 * correction. Anything that is not a customer's finding or traceback pages as before.
 */
export async function notifyOnCall(body: string, deps: NotifyDeps): Promise<NotifyOutcome> {
  const event = customerEvent(body);
  if (event === null) {
    const alert = alertFor(body);
    await deps.publisher.publish({ ...alert, caseId: null });
    return { outcome: 'sent', why: 'not a customer finding or traceback', ...alert, caseId: null };
  }
  const key = eventKey(event);
  const who = { customerId: event.customer_id, severity: event.severity };
  const atMs = (deps.now ?? Date.now)();
  // a corrected traceback answer is an action item (send the requester the correction before the
  // deadline): it pages within an episode, and itself, as the case's page does not name it
  const correction = event.type === 'traceback' && event.revised_from === 'not_found';
  const decision = await claimEpisode(
    deps.episodes,
    { ...who, key, atMs, mustPage: correction },
    deps.policy,
  );
  const open = await deps.cases.openCaseOf(event.customer_id);
  const openCase = open?.caseId ?? null;
  if (!decision.alert) return { outcome: 'suppressed', why: decision.why, ...who, caseId: openCase };
  // The case's "needs review" message pages for the event that opens it, and, within the quiet
  // period, for the customer's other events that would first page at the case's level.
  const caseHasPaged =
    open === null ||
    open.caseId === caseIdOpenedBy(event) ||
    (decision.why === 'first' && atMs - open.openedAtMs < deps.policy.quietPeriodMs);
  if (reachesCase(event) && caseHasPaged && !correction) {
    await deps.episodes.markSent(event.customer_id, key);
    return { outcome: 'left_to_case', why: decision.why, ...who, caseId: openCase ?? caseIdOpenedBy(event) };
  }
  const alert = alertFor(body, openCase);
  await deps.publisher.publish({ ...alert, caseId: openCase });
  await deps.episodes.markSent(event.customer_id, key);
  return { outcome: 'sent', why: decision.why, ...who, caseId: openCase };
}
