import { z } from 'zod';
import { counted, figureAgainst } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * The hours before an hour its baseline is taken from (scoreCustomerWindows): the sentence and the
 * README say so, since an hour with a longer history in its input is still compared with this day only.
 */
export const BASELINE_HOURS = 24;

/**
 * An earlier hour under a twentieth of the customer's busiest earlier hour, or under 20 calls, is not
 * its working level: a security desk's night, an after-hours line.
 */
const TRICKLE_SHARE = 0.05;
const TRICKLE_CALLS = 20;

/**
 * The customer's working hours among its earlier active ones: those of at least 20 calls and a
 * twentieth of its busiest. A plain median counts a business's overnight trickle (2 calls an hour on
 * its after-hours line) as often as its working hours, and its every morning (every Monday, after a
 * weekend of nights only) then looks like a spike; a median of the hours kept still needs half of them
 * to be busy, so a few hours of a sustained burst do not make it the norm.
 */
export function workingHours(earlierAttempts: number[]): number[] {
  const floor = Math.max(TRICKLE_CALLS, TRICKLE_SHARE * Math.max(0, ...earlierAttempts));
  return earlierAttempts.filter((a) => a >= floor).sort((a, b) => a - b);
}

export const VOLUME_SPIKE = defineRule({
  code: 'VOLUME_SPIKE',
  firesWhen: `attempts vs the median of the customer's working hours in the ${BASELINE_HOURS} hours before (at least 3 of 20 calls or more and a twentieth of its busiest) is above`,
  direction: 'max',
  ratio: false,
  unit: 'x',
  signature: false,
  hourly: true,
  params: { minHistoryHours: z.number().int().positive() },
  defaults: {
    threshold: 8,
    minAttempts: 200,
    minHistoryHours: 3,
    weight: 65,
    // notifications are bursty by nature (a school closing, a storm warning)
    profiles: { notifications: { enabled: false } },
  },
  evaluate: (w, _d, ctx, cfg, eff) => {
    const working = workingHours(ctx.earlierAttempts);
    if (working.length < cfg.minHistoryHours) return null;
    const typical = working[Math.floor(working.length / 2)];
    const r = w.attempts / typical;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${counted(w.attempts, 'attempt')} this hour, ${figureAgainst(r, eff.threshold, 1)}x the median of ${counted(typical, 'call')} of the customer's ${counted(working.length, 'working hour')} in the ${BASELINE_HOURS} hours before`,
    };
  },
});
