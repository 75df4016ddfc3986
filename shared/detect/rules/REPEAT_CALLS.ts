import { counted, estimatedText, pctAgainst } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * One caller ID calling the same numbers again and again within the hour: a campaign redialling its
 * list, or harassment. A notifications sender retries the numbers that did not answer (a school's
 * closing, an emergency alert, a pharmacy's pickup reminder): a first call and up to 3 retries in the
 * hour repeat at most 3 calls in 4 (75%), even when no number answers, and a school's alert retried
 * that way showed 54%. Its line is that 75%: past it, the numbers were called more often than such a
 * schedule calls them. Not higher: a line scaled by a trusted tier (x1.3) is capped at 100%, which no
 * share passes, so 80% would turn the rule off for trusted notifications senders; at 75% theirs is
 * 97.5%, 40 calls a number in the hour.
 */
export const REPEAT_CALLS = defineRule({
  code: 'REPEAT_CALLS',
  firesWhen: 'share of calls repeating a (caller, called) pair within the hour is above',
  direction: 'max',
  ratio: true,
  signature: false,
  hourly: true,
  params: {},
  defaults: {
    threshold: 0.5,
    minAttempts: 150,
    weight: 65,
    profiles: { notifications: { threshold: 0.75 } },
  },
  evaluate: (w, d, _ctx, _cfg, eff) => ({
    observed: d.repeatShare,
    calls: w.attempts - w.callingBlank,
    detail: `${estimatedText(pctAgainst(d.repeatShare, eff.threshold), d.estimated('repeatShare'))} of calls repeated a (caller, called) pair already seen in the hour (${estimatedText(counted(d.distinctCalled, 'called number'), d.estimated('distinctCalled'))}, ${counted(w.attempts, 'attempt')})`,
  }),
});
