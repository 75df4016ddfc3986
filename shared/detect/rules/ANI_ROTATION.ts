import { z } from 'zod';
import { counted, estimatedText, int, pctAgainst, plural, round } from '../format.ts';
import { windowWord } from './derive.ts';
import { defineRule, providersParam } from './rule.ts';

/**
 * Snowshoeing: most calls come from caller IDs the customer cannot vouch for, each used only once or
 * a few times. A caller ID is fresh when it is outside the customer's number inventory; for a customer
 * without an inventory, when it was never used in the customer's earlier hours. With neither, every
 * caller ID counts as fresh, but nothing tells a new DID pool from a rotation: the reason is then half
 * evidence at most (medium on its own) until an inventory or a second hour settles it. Calls per
 * caller ID is the hour's mean (the aggregate keeps no per-number counts), so a stable pool of numbers,
 * even a large one, stays quiet. A provider customer (registry `provider`) is left out unless the
 * policy sets `providers`: its caller IDs are its customers', fresh by nature.
 */
export const ANI_ROTATION = defineRule({
  code: 'ANI_ROTATION',
  firesWhen:
    'share of calls from fresh caller IDs (outside the inventory, else new to the customer), with at most 6 calls per caller ID and at least 100 of them, is above',
  direction: 'max',
  ratio: true,
  signature: true,
  params: {
    maxCallsPerNumber: z.number().positive(),
    minDistinct: z.number().int().nonnegative(),
    ...providersParam,
  },
  defaults: {
    threshold: 0.5,
    minAttempts: 150,
    maxCallsPerNumber: 6,
    minDistinct: 100,
    providers: false,
    weight: 65,
  },
  evaluate: (w, d, ctx, cfg, eff) => {
    const withCaller = w.attempts - w.callingBlank;
    if (withCaller === 0) return null;
    // with an inventory the share is known from counters: a share that cannot fire never counts the
    // caller IDs (for a day window, that would unite its hours' sets)
    if (w.callingChecked > 0 && w.callingOutsideInventory / w.attempts <= eff.threshold) return null;
    if (d.distinctCalling === 0) return null;
    let fresh: number;
    let basis: string;
    let unproven = false;
    // how the count of fresh calls was come to, when it is an estimate
    let estimate = '';
    if (w.callingChecked > 0) {
      fresh = w.callingOutsideInventory;
      basis = "outside the customer's number inventory";
    } else if (d.newCallingShare !== null) {
      // the aggregate keeps which caller IDs an hour used, not how many calls each placed: the new
      // ones' share of the hour's caller IDs stands for their share of its calls, and the sentence
      // says so, so that an hour of one busy main number and many single calls can be checked (a
      // day window's caller IDs are its day's, and the sentence names the day)
      fresh = Math.round(withCaller * d.newCallingShare);
      basis = 'never used by this customer before';
      const newIds = Math.round(d.distinctCalling * d.newCallingShare);
      estimate = ` (estimated: ${int(newIds)} of the ${windowWord(ctx)}'s ${counted(d.distinctCalling, 'distinct caller ID')} ${plural(newIds, 'was', 'were')} new, taken to carry their share of the calls)`;
    } else {
      fresh = withCaller;
      basis = 'with no inventory or earlier hours to vouch for them';
      unproven = true;
    }
    const perNumber = withCaller / d.distinctCalling;
    const each = round(perNumber, 1);
    // a count of caller IDs that is an estimate says so where it is shown last (the estimate clause
    // above is "estimated" as a whole already)
    const estimated = d.estimated('distinctCalling');
    const share = fresh / w.attempts;
    return {
      observed: share,
      also: perNumber <= cfg.maxCallsPerNumber && d.distinctCalling >= cfg.minDistinct,
      calls: w.attempts,
      ...(unproven ? { maxExcess: 0.5 } : { share }),
      detail: `${pctAgainst(share, eff.threshold)} of ${counted(w.attempts, 'call')} came from caller IDs ${basis}${estimate}; ${estimatedText(counted(d.distinctCalling, 'distinct caller ID'), estimated)} in ${ctx.pooledHours ? 'those hours' : 'the hour'}, ${estimatedText(each === 1 ? '1 call each' : `${each} calls each on average`, estimated, false)}`,
    };
  },
});
