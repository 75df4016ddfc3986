/**
 * What a call record may plausibly hold, beyond being well-formed: a time far in the past or the
 * future, or a duration of years, is a broken or hostile export, and one such row would move or
 * distort a whole customer-hour (a 308-digit duration erases LOW_ACD from its hour). Rows outside
 * these bounds are quarantined with the bound they broke.
 */
export interface Plausibility {
  /** earliest plausible time (start, answer, end), epoch ms */
  earliestMs: number;
  /** latest plausible time, epoch ms */
  latestMs: number;
  /** longest plausible billable duration, seconds */
  maxDurationS: number;
}

export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/** switches' clocks drift and batches cross midnight in every zone: a day of slack past now */
export const FUTURE_SLACK_MS = 86_400_000;
/** the longest call a carrier bills in one record (long calls are cut into partial records) */
export const MAX_DURATION_S = 86_400;

/**
 * How far a call's times may run backwards (answer or end before start, end before answer) and still
 * be one call: switches stamp them from different clocks, or round each to the second its own way
 * (down, to the nearest), so a second or two out of order is rounding; more is a row whose times
 * cannot all be true (an answer hours before the seizure would make hours of talk out of a minute).
 */
export const TIME_ORDER_SLACK_MS = 2000;

/** The default bounds, with "now" read once (a batch is judged against one clock). */
export function defaultPlausibility(nowMs = Date.now()): Plausibility {
  return {
    earliestMs: EARLIEST_PLAUSIBLE_MS,
    latestMs: nowMs + FUTURE_SLACK_MS,
    maxDurationS: MAX_DURATION_S,
  };
}
