import { counted, int, pctAgainst, plural } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * A customer that went through onboarding declared the addresses its calls come from; calls sent from
 * elsewhere are traffic the carrier never vetted (a reseller's platform, a compromised account).
 * Quiet for customers that declared no addresses, and for calls whose CDR carries no source address.
 * Medium on its own at most (a customer may have added a platform without telling): it raises a
 * finding other reasons already make.
 */
export const UNDECLARED_SOURCE_IP = defineRule({
  code: 'UNDECLARED_SOURCE_IP',
  firesWhen:
    'share of calls sent from source addresses outside those the customer declared at onboarding is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: { threshold: 0.1, minAttempts: 30, weight: 55 },
  evaluate: (w, _d, ctx, _cfg, eff) => {
    if (w.sourceChecked === 0) return null;
    const r = w.sourceUndeclared / w.sourceChecked;
    const declared = ctx.customer.declared_ip_ranges ?? [];
    return {
      observed: r,
      calls: w.sourceChecked,
      share: w.sourceUndeclared / w.attempts,
      detail: `${int(w.sourceUndeclared)} of ${counted(w.sourceChecked, 'call')} (${pctAgainst(r, eff.threshold)}) came from ${plural(w.sourceUndeclared, 'a source address', 'source addresses')} outside the ones declared at onboarding (${declared.slice(0, 3).join(', ')}${declared.length > 3 ? ', ...' : ''})`,
    };
  },
});
