import { z } from 'zod';
import { counted, pctAgainst, plural } from '../format.ts';
import { defineRule, providersParam } from './rule.ts';

/**
 * Caller IDs that another customer of the carrier holds (its number inventory, as an exact number or
 * inside a prefix such as `+1404881*`), presented by a customer that neither holds (exactly or by a
 * prefix of its own) nor declared them: the carrier's own records say whose numbers they are,
 * whether or not this customer has an inventory on file, and whatever the attestation. Spoofing
 * a known business's numbers, or a vendor calling for a client without having declared the client's
 * numbers with its proof of right (declared numbers count as the customer's own): either way a
 * question the records answer. A provider customer (registry `provider`) is left out unless the
 * policy sets `providers`: it hands on others' calls, whose caller IDs may be numbers held here.
 */
export const OTHER_CUSTOMERS_NUMBER = defineRule({
  code: 'OTHER_CUSTOMERS_NUMBER',
  firesWhen:
    'share of calls presenting a caller ID another customer holds (exactly or by a prefix), one the customer neither holds nor declared (and at least 10 calls), is above',
  direction: 'max',
  ratio: true,
  signature: true,
  params: { minCount: z.number().int().nonnegative(), ...providersParam },
  defaults: { threshold: 0.05, minAttempts: 50, minCount: 10, providers: false, weight: 65 },
  evaluate: (w, _d, _ctx, cfg, eff) => {
    const r = w.callingOtherCustomer / w.attempts;
    return {
      observed: r,
      also: w.callingOtherCustomer >= cfg.minCount,
      calls: w.attempts,
      share: r,
      detail: `${counted(w.callingOtherCustomer, 'call')} (${pctAgainst(r, eff.threshold)}) presented ${plural(w.callingOtherCustomer, 'a caller ID that another customer holds (in its number inventory), a number', 'caller IDs that other customers hold (in their number inventory), numbers')} this customer neither holds nor declared`,
    };
  },
});
