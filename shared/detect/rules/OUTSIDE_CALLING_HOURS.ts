import { z } from 'zod';
import { int, pct } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * Calling hours (47 CFR 64.1200(c)(1): no solicitation before 8:00 or from 21:00 at the called
 * party) hold for every traffic profile but notifications; customers with documented consent or an
 * established business relationship are exempted by id in the policy. States with stricter hours
 * (state-calling-hours.ts) end them at 20:00 unless the policy sets `stateHours` to false.
 */
export const OUTSIDE_CALLING_HOURS = defineRule({
  code: 'OUTSIDE_CALLING_HOURS',
  firesWhen:
    "share of calls placed before 8:00 or from 21:00 (20:00 in states with stricter hours) at the called party's local time is above (every profile but notifications)",
  direction: 'max',
  ratio: true,
  signature: true,
  // a share that depends on which hours the window holds: the pipeline judges a day on the hours in so
  // far (its night first, as batches come in order), and a day window of a customer's night is
  // outside calling hours by its nature
  hourly: true,
  params: { exemptCustomers: z.array(z.string()), stateHours: z.boolean() },
  defaults: {
    threshold: 0.5,
    minAttempts: 100,
    exemptCustomers: [],
    stateHours: true,
    weight: 65,
    profiles: { notifications: { enabled: false } },
  },
  evaluate: (w, _d, ctx, cfg) => {
    if (w.hoursKnown === 0 || cfg.exemptCustomers.includes(ctx.customer.customer_id)) return null;
    const outside = cfg.stateHours ? w.outsideStateHours : w.outsideHours;
    const r = outside / w.hoursKnown;
    const stricter = cfg.stateHours && w.outsideStateHours > w.outsideHours;
    return {
      observed: r,
      calls: w.hoursKnown,
      share: outside / w.attempts,
      // the state-hours calls are no calls past 21:00: the sentence names each kind with its count
      detail: stricter
        ? `${pct(r)} of ${int(w.hoursKnown)} calls reached the called party outside calling hours: ${int(w.outsideHours)} before 8:00 or after 21:00 local time, ${int(w.outsideStateHours - w.outsideHours)} from 20:00 in a state whose law ends calling hours then`
        : `${pct(r)} of ${int(w.hoursKnown)} calls reached the called party before 8:00 or after 21:00 local time`,
    };
  },
});
