import { z } from 'zod';
import { counted, int, pctAgainst } from '../format.ts';
import {
  CONVERSATIONAL_MAX_EXCESS,
  conversationalCapText,
  conversationsText,
  lookLikeConversationsText,
  looksConversational,
  mayBeConversations,
} from './conversational.ts';
import { defineRule, providersParam } from './rule.ts';

/**
 * The share of a customer's day's calls outside calling hours from which the day is how the customer
 * works: two in three. Calls spread evenly around the clock put 11 of every 24 hours' calls outside
 * calling hours, 12 in a state whose hours end at 20:00 (46-50%), as a 24-hour business's are, so the
 * majority of a day is no line; two in three is more than twice as many calls an hour at night as by
 * day.
 */
const NIGHT_DAY_SHARE = 2 / 3;

/**
 * Calling hours (47 CFR 64.1200(c)(1): no solicitation before 8:00 or from 21:00 at the called
 * party) hold for every traffic profile but notifications; customers with documented consent or an
 * established business relationship are exempted by id in the policy. States with stricter hours
 * (state-calling-hours.ts) end them at 20:00 unless the policy sets `stateHours` to false. Calls
 * outside calling hours that look like conversations (conversational.ts, measured on those calls
 * alone) keep the reason but make it `medium` at most on its own: a hospital calling night staff, a
 * dispatcher or a nurse agency calls at night by its nature, and calling hours bind telephone
 * solicitation. For the same reason a provider customer (registry `provider`) is left out unless the
 * policy sets `providers`: its calls at night are other senders' it carries, and calling hours bind
 * the caller that solicits, not the carriers that pass its calls on; what a campaign inside the
 * transit does to answer rates, durations and caller IDs still shows.
 *
 * A customer's day is judged on the share of the day's calls outside calling hours, never on an
 * hour's: a daytime business's night hours are outside calling hours by their nature, and are a small
 * part of its day. The day fires only from two in three of its calls (NIGHT_DAY_SHARE), which is how
 * the customer works, not a 24-hour business's night: conversations no longer hold it to medium there
 * (a customer whose business is calling people at night is exempted by id).
 */
export const OUTSIDE_CALLING_HOURS = defineRule({
  code: 'OUTSIDE_CALLING_HOURS',
  firesWhen: `share of calls placed before 8:00 or from 21:00 (20:00 in states with stricter hours) at the called party's local time is above (every profile but notifications; ${conversationalCapText('those calls')}; a customer's day only from two in three of its calls, and then without that cap)`,
  direction: 'max',
  ratio: true,
  signature: true,
  params: { exemptCustomers: z.array(z.string()), stateHours: z.boolean(), ...providersParam },
  defaults: {
    threshold: 0.5,
    minAttempts: 100,
    exemptCustomers: [],
    stateHours: true,
    providers: false,
    weight: 65,
    profiles: { notifications: { enabled: false } },
  },
  evaluate: (w, _d, ctx, cfg, eff) => {
    if (w.hoursKnown === 0 || cfg.exemptCustomers.includes(ctx.customer.customer_id)) return null;
    // the calls the share counts, and of those the answered ones: the cap judges these calls, not the
    // hour's (a sender's daytime conversations say nothing of its calls at night)
    const outside = cfg.stateHours ? w.outsideStateHours : w.outsideHours;
    const answered = cfg.stateHours ? w.outsideStateHoursAnswered : w.outsideHoursAnswered;
    const seconds = cfg.stateHours ? w.outsideStateHoursDurationSum : w.outsideHoursDurationSum;
    const r = outside / w.hoursKnown;
    const stricter = cfg.stateHours && w.outsideStateHours > w.outsideHours;
    const asr = outside > 0 ? answered / outside : 0;
    const acd = answered > 0 ? seconds / answered : 0;
    // Counts of an hour partly stored before they were counted are NaN (window.ts): the cap is then
    // left off, not taken from the whole hour's answer rate and average. That is the reading this
    // cap replaced, which let a night campaign hide behind its sender's daytime conversations; the
    // cap is leniency that needs evidence, and without it the reason weighs as any customer's does,
    // for the few hours stored before the counters existed. The sentence says why the cap is off.
    const unknown = Number.isNaN(answered) || Number.isNaN(seconds);
    const conversations = !unknown && looksConversational(ctx.customer, asr, acd);
    // a day is judged only when spent mostly calling people outside calling hours, where
    // conversations excuse nothing
    const day = ctx.pooledHours !== undefined;
    const conversational = conversations && !day;
    // the state-hours calls are no calls past 21:00: the sentence names each kind with its count
    const what = stricter
      ? `${pctAgainst(r, eff.threshold)} of ${counted(w.hoursKnown, 'call')} reached the called party outside calling hours: ${int(w.outsideHours)} before 8:00 or after 21:00 local time, ${int(w.outsideStateHours - w.outsideHours)} from 20:00 in a state whose law ends calling hours then`
      : `${pctAgainst(r, eff.threshold)} of ${counted(w.hoursKnown, 'call')} reached the called party before 8:00 or after 21:00 local time`;
    return {
      observed: r,
      also: !day || outside / w.attempts > NIGHT_DAY_SHARE,
      calls: w.hoursKnown,
      share: outside / w.attempts,
      ...(conversational ? { maxExcess: CONVERSATIONAL_MAX_EXCESS } : {}),
      detail: conversational
        ? `${what}; ${conversationsText(asr, acd, 'calling hours bind solicitation')}`
        : conversations
          ? `${what}; ${lookLikeConversationsText(asr, acd)}, but they were most of the customer's calls that day: a day spent calling people outside calling hours is no 24-hour business's night`
          : mayBeConversations(ctx.customer) && unknown
            ? `${what}; how many of them were answered is not known (part of the hour was stored before that was counted), so nothing shows them to be conversations`
            : what,
    };
  },
});
