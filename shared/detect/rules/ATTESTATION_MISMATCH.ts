import { z } from 'zod';
import { counted, int, pctAgainst, plural } from '../format.ts';
import { defineRule } from './rule.ts';

export const ATTESTATION_MISMATCH = defineRule({
  code: 'ATTESTATION_MISMATCH',
  firesWhen:
    "share of A-attested calls from numbers outside the customer's inventory (and at least 10 calls) is above",
  direction: 'max',
  ratio: true,
  signature: true,
  params: { minCount: z.number().int().nonnegative() },
  defaults: { threshold: 0.05, minAttempts: 50, minCount: 10, weight: 65 },
  evaluate: (w, _d, _ctx, cfg, eff) => {
    if (w.aChecked === 0) return null;
    const r = w.aOutsideInventory / w.aChecked;
    return {
      observed: r,
      also: w.aOutsideInventory >= cfg.minCount,
      calls: w.aChecked,
      share: w.aOutsideInventory / w.attempts,
      detail: `${int(w.aOutsideInventory)} of ${counted(w.aChecked, 'A-attested call')} (${pctAgainst(r, eff.threshold)}) used ${plural(w.aOutsideInventory, 'a caller ID', 'caller IDs')} outside the customer's number inventory`,
    };
  },
});
