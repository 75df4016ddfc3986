import { int, pct } from '../format.ts';
import { defineRule } from './rule.ts';

export const LOW_ASR = defineRule({
  code: 'LOW_ASR',
  firesWhen: 'answer rate is below',
  direction: 'min',
  ratio: true,
  signature: false,
  params: {},
  defaults: {
    threshold: 0.25,
    minAttempts: 120,
    weight: 65,
    profiles: {
      call_center: { threshold: 0.15 },
      dialer: { threshold: 0.12 },
      notifications: { threshold: 0.4 },
    },
  },
  evaluate: (w, d) => ({
    observed: d.asr,
    calls: w.attempts,
    detail: `only ${pct(d.asr)} of ${int(w.attempts)} call attempts were answered`,
  }),
});
