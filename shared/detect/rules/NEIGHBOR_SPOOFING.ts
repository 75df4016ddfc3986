import { counted, pctAgainst } from '../format.ts';
import { defineRule } from './rule.ts';

export const NEIGHBOR_SPOOFING = defineRule({
  code: 'NEIGHBOR_SPOOFING',
  firesWhen:
    "share of calls whose caller ID is in the called party's own NPA-NXX and not one the customer holds is above",
  direction: 'max',
  ratio: true,
  signature: true,
  params: {},
  defaults: { threshold: 0.1, minAttempts: 100, weight: 65 },
  evaluate: (w, _d, _ctx, _cfg, eff) => {
    const r = w.neighborNpaNxx / w.attempts;
    return {
      observed: r,
      calls: w.attempts,
      share: r,
      detail: `${pctAgainst(r, eff.threshold)} of ${counted(w.attempts, 'call')} showed a caller ID in the called party's own NPA-NXX that the customer does not hold (${counted(w.neighborNpaNxx, 'call')})`,
    };
  },
});
