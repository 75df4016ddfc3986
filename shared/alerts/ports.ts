import type { AlertEpisode } from './episode.ts';

/** A stored episode and the version a conditional write must still find. */
export interface StoredEpisode {
  episode: AlertEpisode;
  version: number;
}

/**
 * Per-customer alert episodes (DynamoDB Cases table, `CUSTALERT#<customer>/EPISODE`). Every write
 * is conditional, so two deliveries racing for the same customer cannot both page on-call.
 */
export interface EpisodeStore {
  get(customerId: string): Promise<StoredEpisode | null>;
  /**
   * Writes the episode if the stored one is still at `expectedVersion` (null: none stored yet);
   * false when another delivery wrote first (re-read and decide again).
   */
  put(episode: AlertEpisode, expectedVersion: number | null): Promise<boolean>;
  /** marks the episode's alert as gone out, if `key` still holds the claim */
  markSent(customerId: string, key: string): Promise<void>;
}

/** The customer's open case and when it opened, if any (the case starter's open-case marker). */
export interface OpenCases {
  openCaseOf(customerId: string): Promise<{ caseId: string; openedAtMs: number } | null>;
}

/** Where on-call alerts go (OnCallTopic). */
export interface AlertPublisher {
  publish(alert: {
    subject: string;
    text: string;
    customerId: string;
    severity: string;
    caseId: string | null;
  }): Promise<void>;
}
