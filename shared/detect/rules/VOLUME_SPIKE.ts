import { z } from 'zod';
import { int, round } from '../format.ts';
import { defineRule } from './rule.ts';

/** An earlier hour under a twentieth of the customer's busiest earlier hour is not its working level. */
const TRICKLE_SHARE = 0.05;

/**
 * The customer's typical earlier hour: the median of its earlier active hours, leaving out the hours
 * under a twentieth of its busiest one. A plain median counts a business's overnight trickle (2 calls an
 * hour on its after-hours line) as often as its working hours, and its every morning then looks like
 * a spike; a median still needs half of the hours kept to be busy, so a few hours of a sustained burst
 * do not make it the norm.
 */
export function typicalHour(earlierAttempts: number[]): number {
  const busiest = Math.max(...earlierAttempts);
  const kept = earlierAttempts.filter((a) => a >= TRICKLE_SHARE * busiest).sort((a, b) => a - b);
  return Math.max(1, kept[Math.floor(kept.length / 2)] ?? 1);
}

export const VOLUME_SPIKE = defineRule({
  code: 'VOLUME_SPIKE',
  firesWhen:
    "attempts vs the median of the customer's earlier active hours (at least 3; hours under a twentieth of its busiest left out) is above",
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
  evaluate: (w, _d, ctx, cfg) => {
    if (ctx.earlierAttempts.length < cfg.minHistoryHours) return null;
    const typical = typicalHour(ctx.earlierAttempts);
    const r = w.attempts / typical;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${int(w.attempts)} attempts this hour, ${round(r, 1)}x the customer's typical hour of ${int(typical)} calls over its previous ${ctx.earlierAttempts.length} active hours`,
    };
  },
});
