import { counted, int, pctAgainst, plural } from '../format.ts';
import { defineRule } from './rule.ts';

export const REJECTION_RATIO = defineRule({
  code: 'REJECTION_RATIO',
  firesWhen:
    '403/603/607/608 share of attempts (a REJECTED disposition without a SIP code counts as 603) is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: { threshold: 0.2, minAttempts: 120, weight: 65 },
  evaluate: (w, d, _ctx, _cfg, eff) => {
    const r = d.rejected / w.attempts;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${pctAgainst(r, eff.threshold)} of ${counted(w.attempts, 'attempt')} ${plural(w.attempts, 'was', 'were')} rejected as unwanted or blocked (403: ${int(w.rej403)}, 603: ${int(w.rej603)}, 607: ${int(w.rej607)}, 608: ${int(w.rej608)})`,
    };
  },
});
