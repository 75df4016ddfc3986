import { int, pct } from '../format.ts';
import { defineRule } from './rule.ts';

export const SHORT_CALL_RATIO = defineRule({
  code: 'SHORT_CALL_RATIO',
  firesWhen: 'share of answered calls under 6 s is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: {
    threshold: 0.2,
    minAttempts: 120,
    weight: 65,
    profiles: {
      call_center: { threshold: 0.3 },
      dialer: { threshold: 0.3 },
      notifications: { enabled: false },
    },
  },
  evaluate: (w, d) =>
    w.answered === 0
      ? null
      : {
          observed: d.shortRatio,
          calls: w.answered,
          detail: `${pct(d.shortRatio)} of ${int(w.answered)} answered calls lasted under 6 s`,
        },
});
