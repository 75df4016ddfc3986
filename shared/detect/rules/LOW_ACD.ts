import { figureAgainst, int } from '../format.ts';
import { MIN_ANSWERED } from './answered-sample.ts';
import { defineRule } from './rule.ts';

export const LOW_ACD = defineRule({
  code: 'LOW_ACD',
  firesWhen: `average answered duration is below (over at least ${MIN_ANSWERED} answered calls)`,
  direction: 'min',
  ratio: false,
  unit: ' s',
  signature: false,
  sameCallsAs: 'SHORT_CALL_RATIO',
  params: {},
  defaults: {
    threshold: 30,
    minAttempts: 120,
    weight: 65,
    profiles: {
      call_center: { threshold: 20 },
      dialer: { threshold: 12 },
      notifications: { enabled: false },
    },
  },
  evaluate: (w, d, _ctx, _cfg, eff) =>
    w.answered < MIN_ANSWERED
      ? null
      : {
          observed: d.acd,
          calls: w.answered,
          detail: `answered calls averaged ${figureAgainst(d.acd, eff.threshold, 1)} s (${int(w.answered)} answered)`,
        },
});
