import { z } from 'zod';
import { int, round } from '../format.ts';
import { defineRule } from './rule.ts';

export const VOLUME_SPIKE = defineRule({
  code: 'VOLUME_SPIKE',
  firesWhen: "attempts vs the median of the customer's earlier active hours (at least 3) is above",
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
    const sorted = [...ctx.earlierAttempts].sort((a, b) => a - b);
    const median = Math.max(1, sorted[Math.floor(sorted.length / 2)]);
    const r = w.attempts / median;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${int(w.attempts)} attempts this hour, ${round(r, 1)}x the customer's median of ${int(median)} over its previous ${sorted.length} active hours`,
    };
  },
});
