import { int, pct } from '../format.ts';
import { defineRule } from './rule.ts';

export const REPEAT_CALLS = defineRule({
  code: 'REPEAT_CALLS',
  firesWhen: 'share of calls repeating a (caller, called) pair within the hour is above',
  direction: 'max',
  ratio: true,
  signature: false,
  hourly: true,
  params: {},
  defaults: { threshold: 0.5, minAttempts: 150, weight: 65 },
  evaluate: (w, d) => ({
    observed: d.repeatShare,
    calls: w.attempts - w.callingBlank,
    detail: `${pct(d.repeatShare)} of calls repeated a (caller, called) pair already seen in the hour (${int(d.distinctCalled)} called numbers, ${int(w.attempts)} attempts)`,
  }),
});
