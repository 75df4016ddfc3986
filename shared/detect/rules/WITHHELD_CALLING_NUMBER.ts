import { counted, pctAgainst } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * Calls sent with no caller ID (empty, or withheld as `anonymous`). A person may withhold their
 * number; a business placing telemarketing calls must transmit one (47 CFR 64.1601(e)), and a call
 * without one cannot be signed for its number nor traced back to its caller. A large share of a
 * customer's calls is a question for the analyst, not proof (a practice whose staff withhold their
 * number calling patients): `medium` at most on its own (weight 55, like the declaration rules), more
 * beside other reasons.
 */
export const WITHHELD_CALLING_NUMBER = defineRule({
  code: 'WITHHELD_CALLING_NUMBER',
  firesWhen: 'share of calls with no caller ID (empty or withheld) is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: { threshold: 0.3, minAttempts: 100, weight: 55 },
  evaluate: (w, _d, _ctx, _cfg, eff) => {
    const r = w.callingBlank / w.attempts;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${counted(w.callingBlank, 'call')} (${pctAgainst(r, eff.threshold)}) carried no caller ID (empty or withheld)`,
    };
  },
});
