import { z } from 'zod';
import { counted, estimatedText, pct } from '../format.ts';
import {
  CONVERSATIONAL_MAX_EXCESS,
  conversationalCapText,
  conversationsText,
  looksConversational,
} from './conversational.ts';
import { defineRule, providersParam } from './rule.ts';

/**
 * One sender dialling a great many different numbers in an hour: a campaign working through a list.
 * A provider customer (registry `provider`) is left out unless the policy sets `providers`: its hour
 * is thousands of its own customers' calls, each to their own contacts, so its fan-out grows with its
 * volume whatever those calls are (a wholesale carrier at 850 calls an hour reaches 800 distinct
 * numbers); what a campaign inside it does to answer rates, durations and rejections still shows.
 * A customer that declared its peak calls per hour at onboarding (a delivery app's drivers, a
 * pharmacy's reminders) may reach that many numbers: it fires past the declared peak only, where
 * VOLUME_ABOVE_DECLARED takes over the volume. A vetted customer's calls that look like conversations
 * (conversational.ts) keep the reason at `medium` at most on its own: a sales floor or a clinic
 * working through its own list reaches a new number with nearly every call and is answered and
 * talked to, where a campaign's list is rarely answered and quickly hung up on. Only up to twice the
 * line: past that, more numbers are reached in an hour than a floor of people talking explains for a
 * customer that declared conversational traffic, and the reason stands on its own again.
 */

/** the multiple of the threshold up to which conversation-like calls hold the reason at medium */
const CONVERSATIONS_EXPLAIN_UP_TO = 2;
export const HIGH_FANOUT = defineRule({
  code: 'HIGH_FANOUT',
  firesWhen: `distinct called numbers in the hour (at least 80% of attempts, and more than the peak per hour the customer declared) is above (${conversationalCapText('the calls')}, up to ${CONVERSATIONS_EXPLAIN_UP_TO} times the threshold)`,
  direction: 'max',
  ratio: false,
  signature: false,
  hourly: true,
  params: { minDistinctShare: z.number().min(0).max(1), ...providersParam },
  defaults: {
    threshold: 800,
    minAttempts: 200,
    minDistinctShare: 0.8,
    providers: false,
    weight: 65,
    profiles: {
      call_center: { threshold: 6000 },
      dialer: { threshold: 4000 },
      notifications: { threshold: 30000 },
    },
  },
  evaluate: (w, d, ctx, cfg, eff) => {
    const share = d.distinctCalled / w.attempts;
    const declared = ctx.customer.declared_peak_per_hour ?? 0;
    const conversational =
      d.distinctCalled < CONVERSATIONS_EXPLAIN_UP_TO * eff.threshold &&
      looksConversational(ctx.customer, d.asr, d.acd);
    const estimated = d.estimated('distinctCalled');
    const what = `${estimatedText(counted(d.distinctCalled, 'distinct called number'), estimated)} in one hour (${estimatedText(pct(share), estimated, false)} of ${counted(w.attempts, 'attempt')} went to a number not called before in the hour)`;
    return {
      observed: d.distinctCalled,
      also: share >= cfg.minDistinctShare && d.distinctCalled > declared,
      calls: w.attempts,
      ...(conversational ? { maxExcess: CONVERSATIONAL_MAX_EXCESS } : {}),
      detail: conversational
        ? `${what}; ${conversationsText(d.asr, d.acd, "people working through their own list; a campaign's calls are rarely answered and quickly hung up on")}`
        : what,
    };
  },
});
