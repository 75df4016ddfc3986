import { counted, pctAgainst } from '../format.ts';
import { MIN_ANSWERED, shareAtLeast } from './answered-sample.ts';
import { defineRule } from './rule.ts';

/**
 * Short answered calls: a robocall is hung up on within seconds. Below MIN_ANSWERED answered calls the
 * share must pass the threshold even at the low end of what the sample vouches for (shareAtLeast), so
 * a handful of answered calls raises nothing unless nearly all of them were short.
 */
export const SHORT_CALL_RATIO = defineRule({
  code: 'SHORT_CALL_RATIO',
  firesWhen: `share of answered calls under 6 s is above (below ${MIN_ANSWERED} answered calls, even at its 95% lower bound)`,
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
  evaluate: (w, d, _ctx, _cfg, eff) =>
    w.answered === 0
      ? null
      : {
          observed: d.shortRatio,
          also: w.answered >= MIN_ANSWERED || shareAtLeast(w.shortAnswered, w.answered) > eff.threshold,
          calls: w.answered,
          detail: `${pctAgainst(d.shortRatio, eff.threshold)} of ${counted(w.answered, 'answered call')} lasted under 6 s`,
        },
});
