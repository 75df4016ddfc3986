import { z } from 'zod';
import { counted, plural } from '../format.ts';
import { defineRule } from './rule.ts';

/** Industry tracebacks are facts about the customer, not a sample of calls: full volume always. */
const NOT_A_SAMPLE = Number.POSITIVE_INFINITY;

export const TRACEBACK_HISTORY = defineRule({
  code: 'TRACEBACK_HISTORY',
  firesWhen: 'tracebacks naming the customer in the last 30 days reach',
  direction: 'max',
  ratio: false,
  inclusive: true,
  signature: false,
  hourly: true,
  aboutCustomer: true,
  params: { windowDays: z.number().positive() },
  defaults: { threshold: 1, minAttempts: 0, windowDays: 30, weight: 65 },
  evaluate: (_w, _d, ctx, cfg) =>
    ctx.tracebacks === 0
      ? null
      : {
          observed: ctx.tracebacks,
          calls: NOT_A_SAMPLE,
          detail: `${counted(ctx.tracebacks, 'industry traceback')} named this customer in the last ${cfg.windowDays} ${plural(cfg.windowDays, 'day')}`,
        },
});
