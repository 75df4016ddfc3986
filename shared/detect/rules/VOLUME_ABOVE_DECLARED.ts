import { counted, figureAgainst, int } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * A customer that went through onboarding declared its peak calls per hour; an hour far above it is
 * traffic the carrier did not agree to carry (a reseller's, or a campaign it did not disclose).
 * Quiet for customers with no declared peak (registry imports without onboarding). `medium` at most on
 * its own (weight 55, like the other declaration rules): an outage notice or a campaign the customer
 * forgot to declare is a question for the analyst, not proof.
 */
export const VOLUME_ABOVE_DECLARED = defineRule({
  code: 'VOLUME_ABOVE_DECLARED',
  firesWhen: 'attempts in the hour vs the peak per hour the customer declared at onboarding is above',
  direction: 'max',
  ratio: false,
  unit: 'x',
  signature: false,
  hourly: true,
  params: {},
  defaults: { threshold: 3, minAttempts: 60, weight: 55 },
  evaluate: (w, _d, ctx, _cfg, eff) => {
    const declared = ctx.customer.declared_peak_per_hour;
    if (!declared) return null;
    const r = w.attempts / declared;
    return {
      observed: r,
      calls: w.attempts,
      detail: `${counted(w.attempts, 'attempt')} this hour, ${figureAgainst(r, eff.threshold, 1)}x the peak of ${int(declared)} per hour the customer declared at onboarding`,
    };
  },
});
