import type { Customer } from '../customers.ts';
import type { DistinctCounter } from '../distinct.ts';
import type { WindowAggregate } from '../window.ts';

/** What scoring knows beyond the window itself: who the customer is and what it did before. */
export interface WindowContext {
  customer: Customer;
  /** attempts in the customer's earlier active hours (most recent last), for VOLUME_SPIKE */
  earlierAttempts: number[];
  /**
   * the calling numbers the customer used in earlier hours, gathered when first called (only a
   * finding or the caller-ID rotation rule wants them, and the union of a customer's hours is most of
   * what reading them costs); null, or a null answer, when there is no history
   */
  seenCalling: (() => DistinctCounter | null) | null;
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
  readonly newCallingShare: number | null;
  repeatShare: number;
}

/**
 * Derived figures of one window. The share of new calling numbers is counted when first read: it
 * probes every calling number of the hour against all the customer's earlier ones, and only the
 * caller-ID rotation rule and findings read it, where every window is derived (480,000 at 20,000
 * customers, nearly all too small for that rule's volume gate and without a finding). It reads the
 * earlier numbers as they are then, so it is read while the window is scored, before scoring adds the
 * window's own numbers to them (scoreCustomerWindows).
 */
class WindowFigures implements Derived {
  readonly attempts: number;
  readonly answered: number;
  readonly asr: number;
  readonly acd: number;
  readonly shortRatio: number;
  readonly rejected: number;
  readonly distinctCalling: number;
  readonly distinctCalled: number;
  readonly repeatShare: number;
  /** undefined until first read */
  private newShare: number | null | undefined = undefined;
  private readonly calling: DistinctCounter;
  private readonly seen: (() => DistinctCounter | null) | null;

  constructor(w: WindowAggregate, seen: (() => DistinctCounter | null) | null) {
    const distinctPairs = w.pairs.count();
    const withCaller = w.attempts - w.callingBlank;
    this.attempts = w.attempts;
    this.answered = w.answered;
    this.asr = w.attempts ? w.answered / w.attempts : 0;
    this.acd = w.answered ? w.durationSum / w.answered : 0;
    this.shortRatio = w.answered ? w.shortAnswered / w.answered : 0;
    this.rejected = w.rej403 + w.rej603 + w.rej607 + w.rej608;
    this.distinctCalling = w.calling.count();
    this.distinctCalled = w.called.count();
    this.repeatShare = withCaller > 0 ? Math.max(0, withCaller - distinctPairs) / withCaller : 0;
    this.calling = w.calling;
    this.seen = seen;
  }

  get newCallingShare(): number | null {
    if (this.newShare === undefined) {
      const seen = this.distinctCalling === 0 ? null : (this.seen?.() ?? null);
      this.newShare = seen === null ? null : this.calling.countNotIn(seen) / this.distinctCalling;
    }
    return this.newShare;
  }
}

export function derive(w: WindowAggregate, ctx: WindowContext): Derived {
  return new WindowFigures(w, ctx.seenCalling);
}
