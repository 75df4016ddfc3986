import { counted, pctAgainst, plural } from '../format.ts';
import { defineRule } from './rule.ts';

export const FICTITIOUS_CALLING_NUMBER = defineRule({
  code: 'FICTITIOUS_CALLING_NUMBER',
  firesWhen: 'share of calls from 555-01XX and other reserved caller IDs is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: { threshold: 0.3, minAttempts: 100, weight: 65 },
  evaluate: (w, _d, _ctx, _cfg, eff) => {
    const r = w.callingFictitious / w.attempts;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${counted(w.callingFictitious, 'call')} (${pctAgainst(r, eff.threshold)}) used ${plural(w.callingFictitious, 'a reserved fictitious caller ID', 'reserved fictitious caller IDs')} (555-01XX, 555-1212)`,
    };
  },
});
