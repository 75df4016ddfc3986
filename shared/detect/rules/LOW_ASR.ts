import { counted, pctAgainst, plural, round } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * Answered calls that look like conversations: long on average, and few of them hung up within
 * seconds. A survey firm, a sales team or a dialer working its list answers one call in ten and then
 * talks for minutes; a robocall campaign's answered calls are its recording and a quick hang-up. With
 * such calls a low answer rate weighs only by how far it lies below the line, not by how many hours
 * it lasted: a lawful list is dialled all day too. A rate far below the line (half of it or less) is
 * still `high` on its own.
 */
const CONVERSATION_ACD_S = 60;
const CONVERSATION_SHORT_SHARE = 0.3;
/**
 * answered calls enough to read their average as conversations: fewer than the 30 a duration rule
 * judges from, since a run is asked about in an evening's thin hours too (25 answered calls at 5
 * minutes), and a recording's hang-ups do not average a minute by chance
 */
const CONVERSATION_MIN_ANSWERED = 20;

export const LOW_ASR = defineRule({
  code: 'LOW_ASR',
  firesWhen: `answer rate is below (never weighed as a run of hours when the answered calls average ${CONVERSATION_ACD_S} s or more and under ${CONVERSATION_SHORT_SHARE * 100}% of them last under 6 s)`,
  direction: 'min',
  ratio: true,
  signature: false,
  params: {},
  defaults: {
    threshold: 0.25,
    minAttempts: 120,
    weight: 65,
    profiles: {
      // Notifications share the default line. Automated reminders (a pharmacy's refills, a clinic's
      // appointments) are answered 30-40% of the time, by people out, busy or letting a known number
      // ring; a robocall campaign's recording 5-20%. A line inside the reminders' range makes them
      // `high` every hour, since a reason past its line two hours running counts as fully past
      // (evaluate.ts): at 40%, a reminders platform answered 35% was. At 25%, between the two, a
      // campaign on a notifications account still fires, `high` at once from 12.5% down and by
      // persisting a little under 25%. A `new` sender's line, 35.7% (25% / 0.7), is inside the
      // reminders' range: a sender nobody has vetted yet is held to stricter lines on purpose.
      call_center: { threshold: 0.15 },
      dialer: { threshold: 0.12 },
    },
  },
  evaluate: (w, d, _ctx, _cfg, eff) => {
    const what = `only ${pctAgainst(d.asr, eff.threshold)} of ${counted(w.attempts, 'call attempt')} ${plural(w.attempts, 'was', 'were')} answered`;
    const conversations =
      w.answered >= CONVERSATION_MIN_ANSWERED &&
      d.acd >= CONVERSATION_ACD_S &&
      d.shortRatio < CONVERSATION_SHORT_SHARE;
    return {
      observed: d.asr,
      calls: w.attempts,
      ...(conversations ? { sustains: false as const } : {}),
      detail: conversations
        ? `${what}; the ${counted(w.answered, 'answered call')} averaged ${round(d.acd, 0)} s and ${pctAgainst(d.shortRatio, CONVERSATION_SHORT_SHARE)} of them lasted under 6 s, as a list dialled by people looks`
        : what,
    };
  },
});
