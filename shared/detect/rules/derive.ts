import type { Customer } from '../customers.ts';
import type { DistinctCounter } from '../distinct.ts';
import type { WindowAggregate } from '../window.ts';

/** What scoring knows beyond the window itself: who the customer is and what it did before. */
export interface WindowContext {
  customer: Customer;
  /** attempts in the customer's earlier active hours (most recent last), for VOLUME_SPIKE */
  earlierAttempts: number[];
  /** calling numbers the customer used in earlier hours; null when there is no history */
  seenCalling: DistinctCounter | null;
  /** tracebacks that named this customer within the policy's window */
  tracebacks: number;
  /** per reason code: how many clock hours in a row, ending the hour before this one, it fired */
  priorStreak?: ReadonlyMap<string, number>;
}

/** Figures several rules and the findings' metrics read, computed once per window. */
export interface Derived {
  attempts: number;
  answered: number;
  asr: number;
  acd: number;
  shortRatio: number;
  rejected: number;
  distinctCalling: number;
  distinctCalled: number;
  newCallingShare: number | null;
  repeatShare: number;
}

export function derive(w: WindowAggregate, ctx: WindowContext): Derived {
  const distinctCalling = w.calling.count();
  const newCalling = ctx.seenCalling ? w.calling.countNotIn(ctx.seenCalling) : null;
  const distinctPairs = w.pairs.count();
  const withCaller = w.attempts - w.callingBlank;
  return {
    attempts: w.attempts,
    answered: w.answered,
    asr: w.attempts ? w.answered / w.attempts : 0,
    acd: w.answered ? w.durationSum / w.answered : 0,
    shortRatio: w.answered ? w.shortAnswered / w.answered : 0,
    rejected: w.rej403 + w.rej603 + w.rej607 + w.rej608,
    distinctCalling,
    distinctCalled: w.called.count(),
    newCallingShare: newCalling === null || distinctCalling === 0 ? null : newCalling / distinctCalling,
    repeatShare: withCaller > 0 ? Math.max(0, withCaller - distinctPairs) / withCaller : 0,
  };
}
