import { z } from 'zod';
import { counted, pctAgainst } from '../format.ts';
import { defineRule } from './rule.ts';

export const CALLING_EQUALS_CALLED = defineRule({
  code: 'CALLING_EQUALS_CALLED',
  firesWhen:
    'share of calls presenting the called number as caller ID, a number the customer does not hold (and at least 10 calls), is above',
  direction: 'max',
  ratio: true,
  signature: true,
  params: { minCount: z.number().int().nonnegative() },
  defaults: { threshold: 0.02, minAttempts: 50, minCount: 10, weight: 65 },
  evaluate: (w, _d, _ctx, cfg, eff) => {
    const r = w.callingEqualsCalled / w.attempts;
    return {
      observed: r,
      also: w.callingEqualsCalled >= cfg.minCount,
      calls: w.attempts,
      share: r,
      detail: `${counted(w.callingEqualsCalled, 'call')} (${pctAgainst(r, eff.threshold)}) presented the called party's own number as caller ID, one the customer does not hold`,
    };
  },
});
