import type { Customer } from '../customers.ts';
import type { DistinctCounter } from '../distinct.ts';
import type { WindowAggregate } from '../window.ts';

/** What scoring knows beyond the window itself: who the customer is and what it did before. */
/** A reason's run of consecutive clock hours in which it fired. */
export interface Streak {
  /** hours in the run */
  hours: number;
  /** the first call of the run's first hour */
  fromMs: number;
}

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
  /** per reason code: its run of clock hours in a row, ending the hour before this one */
  priorStreak?: ReadonlyMap<string, Streak>;
  /** the window pools this many active hours of the customer's day (day-window.ts); absent for an hour */
  pooledHours?: number;
}

/**
 * The window a reason's sentence describes, in words: `hour`, or `day` for a day window (its counts are
 * the day's, not any one hour's).
 */
export function windowWord(ctx: WindowContext): 'hour' | 'day' {
  return ctx.pooledHours === undefined ? 'hour' : 'day';
}

/** The figures a window's distinct counters give: the findings' metrics report the first three. */
export type DistinctFigure = 'distinctCalling' | 'distinctCalled' | 'newCallingShare' | 'repeatShare';

/** Figures several rules and the findings' metrics read, computed once per window. */
export interface Derived {
  attempts: number;
  answered: number;
  asr: number;
  acd: number;
  shortRatio: number;
  rejected: number;
  /** distinct caller IDs, at most the calls that carried one */
  readonly distinctCalling: number;
  /** distinct called numbers, at most the attempts */
  readonly distinctCalled: number;
  /** the share of the distinct caller IDs never used in the customer's earlier hours, at most 1 */
  readonly newCallingShare: number | null;
  /** the share of the calls with a caller ID that repeated a (caller, called) pair, at least 0 */
  readonly repeatShare: number;
  /**
   * Whether a figure, once read, is a HyperLogLog estimate rather than a count: a set it was counted
   * from (the window's, or for the new-caller share the customer's earlier hours') passed its exact
   * limit. Stored windows' sets pass it at STORE_EXACT_LIMIT keys; analyze's never do. A sentence
   * showing an estimated figure says so, and a finding's metrics mark it.
   */
  estimated(figure: DistinctFigure): boolean;
  /** the distinct counts and new-caller share counted so far: asking counts nothing */
  counted(): Partial<Pick<Derived, Exclude<DistinctFigure, 'repeatShare'>>>;
}

/**
 * The calls a window's set counted keys of: every attempt's called number, and the caller ID and
 * (caller, called) pair of every call that carried a caller ID (call-fold.ts). A set holds at most one
 * key per call, so this bounds its true count; a HyperLogLog estimate can pass it (3,000 calls to
 * 3,000 numbers were estimated 3,014), and is held to it: more distinct numbers than calls is no
 * estimate anyone can use, and a share over 100% of the calls reads as a defect.
 */
function callsCountedIn(w: WindowAggregate, key: 'calling' | 'called' | 'pairs'): number {
  return key === 'called' ? w.attempts : w.attempts - w.callingBlank;
}

/**
 * Derived figures of one window. The distinct counts are counted when first read: a day window
 * (day-window.ts) unites its hours' sets only if a rule or a finding asks for them. The share of new
 * calling numbers is counted when first read too: it
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
  /** each undefined until first read */
  private calling: number | undefined = undefined;
  private called: number | undefined = undefined;
  private repeats: number | undefined = undefined;
  private newShare: number | null | undefined = undefined;
  /** whether the earlier hours' caller IDs the new-caller share was counted against are an estimate */
  private seenEstimated = false;
  private readonly w: WindowAggregate;
  private readonly seen: (() => DistinctCounter | null) | null;
  private readonly sets: SetsOf | null;

  constructor(w: WindowAggregate, seen: (() => DistinctCounter | null) | null, sets: SetsOf | null) {
    this.attempts = w.attempts;
    this.answered = w.answered;
    this.asr = w.attempts ? w.answered / w.attempts : 0;
    this.acd = w.answered ? w.durationSum / w.answered : 0;
    this.shortRatio = w.answered ? w.shortAnswered / w.answered : 0;
    this.rejected = w.rej403 + w.rej603 + w.rej607 + w.rej608;
    this.w = w;
    this.seen = seen;
    this.sets = sets;
  }

  private set(key: 'calling' | 'called' | 'pairs'): DistinctCounter {
    return this.sets === null ? this.w[key] : this.sets(key);
  }

  /** a set's count, held to the calls it counted (callsCountedIn): every distinct figure is read here */
  private distinct(key: 'calling' | 'called' | 'pairs'): number {
    return Math.min(this.set(key).count(), callsCountedIn(this.w, key));
  }

  get distinctCalling(): number {
    this.calling ??= this.distinct('calling');
    return this.calling;
  }

  get distinctCalled(): number {
    this.called ??= this.distinct('called');
    return this.called;
  }

  get repeatShare(): number {
    if (this.repeats === undefined) {
      const withCaller = callsCountedIn(this.w, 'pairs');
      this.repeats = withCaller > 0 ? (withCaller - this.distinct('pairs')) / withCaller : 0;
    }
    return this.repeats;
  }

  estimated(figure: DistinctFigure): boolean {
    if (figure === 'distinctCalled') return !this.set('called').isExact;
    if (figure === 'repeatShare') return !this.set('pairs').isExact;
    const calling = !this.set('calling').isExact;
    return figure === 'newCallingShare' ? calling || this.seenEstimated : calling;
  }

  counted(): ReturnType<Derived['counted']> {
    return {
      ...(this.calling === undefined ? {} : { distinctCalling: this.calling }),
      ...(this.called === undefined ? {} : { distinctCalled: this.called }),
      ...(this.newShare === undefined ? {} : { newCallingShare: this.newShare }),
    };
  }

  get newCallingShare(): number | null {
    if (this.newShare === undefined) {
      const seen = this.distinctCalling === 0 ? null : (this.seen?.() ?? null);
      this.seenEstimated = seen !== null && !seen.isExact;
      // the new caller IDs are some of the hour's, whose count may have been held to its calls
      this.newShare =
        seen === null
          ? null
          : Math.min(this.set('calling').countNotIn(seen), this.distinctCalling) / this.distinctCalling;
    }
    return this.newShare;
  }
}

/**
 * A window's sets by name when they are not its own fields: a day window's are its hours' sets,
 * united when first asked (day-window.ts).
 */
export type SetsOf = (key: 'calling' | 'called' | 'pairs') => DistinctCounter;

export function derive(w: WindowAggregate, ctx: WindowContext, sets: SetsOf | null = null): Derived {
  return new WindowFigures(w, ctx.seenCalling, sets);
}
