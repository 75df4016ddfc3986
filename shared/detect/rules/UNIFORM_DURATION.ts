import { counted, figureAgainst, round } from '../format.ts';
import { MIN_ANSWERED } from './answered-sample.ts';
import { defineRule } from './rule.ts';

/** Below this average the answered calls are short calls (SHORT_CALL_RATIO's), not a message played out. */
const MIN_AVERAGE_S = 6;

/**
 * Answered calls that all last about as long as each other: a recorded message played to the end,
 * to answering machines or to people who listen, is as long as the message. People's conversations
 * are not: their lengths spread about as widely as their average (a coefficient of variation near 1,
 * an office's or a call centre's calls more). Measured by the coefficient of variation (standard
 * deviation over average) of the answered calls' billable seconds, from counters that merge by
 * addition (durationSum, durationSquares). A voicemail drop whose 28-36 s message keeps every other
 * figure ordinary (answer rate, average duration, owned caller IDs) shows here and nowhere else.
 * Recorded messages are a notifications sender's business and a voice-broadcast dialer's, so the rule
 * judges the customers that declared conversations or a call centre.
 */
export const UNIFORM_DURATION = defineRule({
  code: 'UNIFORM_DURATION',
  firesWhen: `answered calls' durations spread less than this share of their average (standard deviation / average, over at least ${MIN_ANSWERED} answered calls averaging ${MIN_AVERAGE_S} s or more)`,
  direction: 'min',
  ratio: false,
  signature: false,
  params: {},
  defaults: {
    threshold: 0.15,
    minAttempts: 120,
    weight: 65,
    profiles: {
      dialer: { enabled: false },
      notifications: { enabled: false },
    },
  },
  evaluate: (w, d, _ctx, _cfg, eff) => {
    // unknown squares (NaN, see durationSquares) or no durations reported at all: nothing to judge
    if (w.answered < MIN_ANSWERED || !Number.isFinite(w.durationSquares) || d.acd < MIN_AVERAGE_S)
      return null;
    const meanSquare = w.durationSquares / w.answered;
    // squares below the average's square cannot come from real calls (a window built without them)
    if (meanSquare < d.acd * d.acd * (1 - 1e-9)) return null;
    const spread = Math.sqrt(Math.max(0, meanSquare - d.acd * d.acd));
    const cv = spread / d.acd;
    return {
      observed: cv,
      calls: w.answered,
      detail: `${counted(w.answered, 'answered call')} lasted ${round(d.acd, 1)} s on average, give or take ${round(spread, 1)} s (a spread of ${figureAgainst(cv, eff.threshold, 2)} times the average)`,
    };
  },
});
