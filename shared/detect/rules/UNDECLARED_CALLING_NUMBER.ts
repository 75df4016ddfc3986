import { counted, int, pctAgainst, plural } from '../format.ts';
import { defineRule } from './rule.ts';

/**
 * A customer that went through onboarding declared the numbers it will present, each with its proof
 * of right (LOA); calls presenting other numbers (neither declared nor in the carrier's inventory for
 * the customer) use caller IDs nobody vetted. Quiet for customers that declared no numbers. Medium on
 * its own at most: legitimate forwarding presents other people's numbers too.
 */
export const UNDECLARED_CALLING_NUMBER = defineRule({
  code: 'UNDECLARED_CALLING_NUMBER',
  firesWhen:
    'share of calls presenting caller IDs neither declared at onboarding nor in the inventory is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: {},
  defaults: { threshold: 0.1, minAttempts: 30, weight: 55 },
  evaluate: (w, _d, _ctx, _cfg, eff) => {
    if (w.declaredCallingChecked === 0) return null;
    const r = w.callingUndeclared / w.declaredCallingChecked;
    return {
      observed: r,
      calls: w.declaredCallingChecked,
      share: w.callingUndeclared / w.attempts,
      detail: `${int(w.callingUndeclared)} of ${counted(w.declaredCallingChecked, 'call')} with a caller ID (${pctAgainst(r, eff.threshold)}) presented ${plural(w.callingUndeclared, 'a number', 'numbers')} the customer neither declared at onboarding nor holds in the inventory`,
    };
  },
});
