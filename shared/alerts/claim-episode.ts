import {
  claimedEpisode,
  decideAlert,
  type EpisodeDecision,
  type EpisodeEvent,
  type EpisodePolicy,
} from './episode.ts';
import type { EpisodeStore } from './ports.ts';

/** Conflicting writes tolerated before the message is left to be redelivered. */
const MAX_ATTEMPTS = 8;

/**
 * Decides whether this event pages on-call and, when it does, claims the customer's episode with a
 * conditional write. A delivery that loses a race re-reads the episode and decides again, so two
 * events of the same severity handled at once page once, and a duplicate delivery pages once.
 */
export async function claimEpisode(
  store: EpisodeStore,
  event: EpisodeEvent,
  policy: EpisodePolicy,
): Promise<EpisodeDecision> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await store.get(event.customerId);
    const decision = decideAlert(stored?.episode ?? null, event, policy);
    // a redelivery of the event that holds the claim: the claim is already ours
    if (!decision.alert || decision.why === 'unsent_redelivery') return decision;
    const within = decision.why === 'must_page' ? (stored?.episode ?? null) : null;
    if (await store.put(claimedEpisode(event, within), stored?.version ?? null)) return decision;
  }
  throw new Error(
    `alert episode of customer ${event.customerId}: ${MAX_ATTEMPTS} conflicting writes in a row; the message will be redelivered`,
  );
}
