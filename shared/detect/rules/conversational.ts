import { type Customer, judgedTier } from '../customers.ts';
import { pct, round } from '../format.ts';

/**
 * Calls that look like conversations, not solicitations: most answered, and long. A hospital calling
 * night staff, a sales floor working its own list, a dispatcher: people answer and talk. Robocall
 * campaigns are rarely answered and quickly hung up on. A rule whose measure such a customer shows by
 * the nature of its work (calls at night, many numbers in an hour) keeps its reason for those calls but
 * holds it to `medium` on its own: a question for the analyst, not proof. Never for a customer on file
 * as a `dialer` (its calls are a campaign until shown otherwise) nor for one judged as `new` (unknown
 * customers are held to the stricter reading).
 */
export const CONVERSATIONAL_ASR = 0.35;
export const CONVERSATIONAL_ACD_S = 45;

/** the most excess a reason about conversation-like calls can vouch for: medium at most on its own */
export const CONVERSATIONAL_MAX_EXCESS = 0.5;

/** A customer whose calls may be read as conversations at all: not a dialer, not judged as new. */
export function mayBeConversations(customer: Customer): boolean {
  return customer.traffic_profile !== 'dialer' && judgedTier(customer) !== 'new';
}

/** Calls of `customer`, answered at `asr` and lasting `acd` seconds on average, look like conversations. */
export function looksConversational(customer: Customer, asr: number, acd: number): boolean {
  return mayBeConversations(customer) && asr >= CONVERSATIONAL_ASR && acd >= CONVERSATIONAL_ACD_S;
}

/** The README table's words for the cap, about `calls` ("the calls", "those calls"). */
export function conversationalCapText(calls: string): string {
  return `when ${pct(CONVERSATIONAL_ASR)} or more of ${calls} are answered and they average ${CONVERSATIONAL_ACD_S} s or more, medium at most on its own, but for a dialer or a new customer`;
}

/** What the calls a reason describes ("them"), answered at `asr` for `acd` seconds on average, look like. */
export function lookLikeConversationsText(asr: number, acd: number): string {
  return `${pct(asr)} of them were answered and lasted ${round(acd, 0)} s on average, as conversations do`;
}

/**
 * A capped reason's sentence about the calls it describes ("them"), answered at `asr` for `acd`
 * seconds on average, and `why` such calls are no proof.
 */
export function conversationsText(asr: number, acd: number, why: string): string {
  return `${lookLikeConversationsText(asr, acd)} (${why}), so this reason is medium at most on its own`;
}
