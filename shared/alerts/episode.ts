import { type Severity, severityRank } from '../detect/finding.ts';

/**
 * One on-call alert per customer episode. A customer's first alert opens an episode at its severity;
 * later events of the same or a lower severity are suppressed (they still reach the audit log, and
 * the case when one is open); a higher severity alerts again and raises the episode; after the
 * quiet period without an alert, the next event starts a new episode. Pure: the store decides who
 * wins a race, this decides what an event means.
 */

/** How long an episode stays quiet after its last alert before the same severity alerts again. */
export const DEFAULT_QUIET_PERIOD_MS = 24 * 60 * 60_000;

export interface EpisodePolicy {
  quietPeriodMs: number;
}

export const DEFAULT_EPISODE_POLICY: EpisodePolicy = { quietPeriodMs: DEFAULT_QUIET_PERIOD_MS };

/** What the store keeps per customer. */
export interface AlertEpisode {
  customerId: string;
  /** highest severity alerted in the episode */
  severity: Severity;
  /** when the episode last alerted, epoch ms */
  alertedAtMs: number;
  /** the event that last alerted (a redelivery of it is recognised) */
  lastKey: string;
  /**
   * `claimed` until the alert has gone out (or was handed to the case), then `sent`: a redelivery
   * of a claimed event that never went out is sent, one that went out is not
   */
  state: 'claimed' | 'sent';
}

/** An event that may page on-call: whose, how severe, which one, when it is handled. */
export interface EpisodeEvent {
  customerId: string;
  severity: Severity;
  key: string;
  atMs: number;
  /**
   * An action item that must reach on-call even within an episode: a corrected traceback answer
   * (the requester was told not_found and has to be sent the correction before its deadline)
   */
  mustPage?: boolean;
}

export type EpisodeDecision =
  | { alert: true; why: 'first' | 'escalation' | 'quiet_period_over' | 'unsent_redelivery' | 'must_page' }
  | { alert: false; why: 'duplicate' | 'within_episode' };

export function decideAlert(
  episode: AlertEpisode | null,
  event: EpisodeEvent,
  policy: EpisodePolicy = DEFAULT_EPISODE_POLICY,
): EpisodeDecision {
  if (episode === null) return { alert: true, why: 'first' };
  if (episode.lastKey === event.key)
    return episode.state === 'sent'
      ? { alert: false, why: 'duplicate' }
      : { alert: true, why: 'unsent_redelivery' };
  if (severityRank(event.severity) > severityRank(episode.severity))
    return { alert: true, why: 'escalation' };
  if (event.atMs - episode.alertedAtMs >= policy.quietPeriodMs)
    return { alert: true, why: 'quiet_period_over' };
  if (event.mustPage) return { alert: true, why: 'must_page' };
  return { alert: false, why: 'within_episode' };
}

/**
 * The episode after an event that alerts (first, escalation or quiet period over): it now stands at
 * the event's severity, from now, claimed by this event until its alert has gone out. An event that
 * pages only because it must (`mustPage` within an episode) takes the claim, so a redelivery of it
 * pages once, but leaves the episode's severity and quiet period as they were.
 */
export function claimedEpisode(event: EpisodeEvent, within: AlertEpisode | null = null): AlertEpisode {
  if (within !== null) return { ...within, lastKey: event.key, state: 'claimed' };
  return {
    customerId: event.customerId,
    severity: event.severity,
    alertedAtMs: event.atMs,
    lastKey: event.key,
    state: 'claimed',
  };
}
