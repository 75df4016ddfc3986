import { z } from 'zod';
import { int, pct } from '../format.ts';
import { defineRule } from './rule.ts';

export const HIGH_FANOUT = defineRule({
  code: 'HIGH_FANOUT',
  firesWhen: 'distinct called numbers in the hour (and at least 80% of attempts) is above',
  direction: 'max',
  ratio: false,
  signature: false,
  hourly: true,
  params: { minDistinctShare: z.number().min(0).max(1) },
  defaults: {
    threshold: 800,
    minAttempts: 200,
    minDistinctShare: 0.8,
    weight: 65,
    profiles: {
      call_center: { threshold: 6000 },
      dialer: { threshold: 4000 },
      notifications: { threshold: 30000 },
    },
  },
  evaluate: (w, d, _ctx, cfg) => {
    const share = d.distinctCalled / w.attempts;
    return {
      observed: d.distinctCalled,
      also: share >= cfg.minDistinctShare,
      calls: w.attempts,
      detail: `${int(d.distinctCalled)} distinct called numbers in one hour (${pct(share)} of ${int(w.attempts)} attempts went to a number not called before in the hour)`,
    };
  },
});
