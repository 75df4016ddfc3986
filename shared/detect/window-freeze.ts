import type { CustomerWindows, HourSlot, WindowRef } from './customer-hours.ts';

/**
 * The slots of one hour still holding their sets, with their customers: two arrays side by side
 * rather than an object per slot (one more allocation per customer-hour, kept until the hour freezes).
 * The first `count` entries are the hour's: the arrays are kept at their length for the next hour,
 * where emptying them (length 0) dropped their storage, and growing it again to 17,500 slots an hour
 * (20,000 customers) left about 5 MB of garbage a worker in the old generation.
 */
interface OpenHour {
  states: CustomerWindows[];
  slots: HourSlot[];
  count: number;
}

/**
 * Bounded memory for time-ordered input: once the input reaches `behindHours` past an hour, that
 * hour's called-number and pair sets are frozen to their counts (see AggregatorOptions.freeze), or
 * with `keepSets` left as they are for onFrozen to write out whole. Keeps the hours still open and
 * the windows a late call reached after they froze.
 */
export class HourFreezer {
  private readonly behind: number;
  private readonly keepFirstHour: boolean;
  private readonly keepSets: boolean;
  /** highest hour index seen, and hours up to keepThrough are never frozen */
  private maxHourIdx = Number.NEGATIVE_INFINITY;
  private keepThrough = Number.NEGATIVE_INFINITY;
  /** open slots by hour index: an hour's slots freeze together, without visiting the hours still open */
  private open = new Map<number, OpenHour>();
  /** the emptied OpenHour of the hour frozen last, taken by the next hour opened */
  private spare: OpenHour | null = null;
  private readonly recount = new Map<string, WindowRef>();

  /** hears of every slot once it is frozen (AggregatorOptions.spill writes it out and drops it) */
  private readonly onFrozen: ((state: CustomerWindows, hourIdx: number, slot: HourSlot) => void) | null;

  /** `behindHours` Infinity: never freeze */
  constructor(
    behindHours: number,
    keepFirstHour: boolean,
    keepSets: boolean,
    onFrozen: ((state: CustomerWindows, hourIdx: number, slot: HourSlot) => void) | null = null,
  ) {
    this.behind = behindHours === Number.POSITIVE_INFINITY ? behindHours : Math.max(1, behindHours);
    this.keepFirstHour = keepFirstHour;
    this.keepSets = keepSets;
    this.onFrozen = onFrozen;
  }

  /** A call's hour: when it is a new latest hour, freezes the hours it has left far enough behind. */
  see(hourIdx: number): void {
    if (hourIdx <= this.maxHourIdx) return;
    if (this.maxHourIdx === Number.NEGATIVE_INFINITY && this.keepFirstHour) this.keepThrough = hourIdx;
    this.maxHourIdx = hourIdx;
    if (this.behind === Number.POSITIVE_INFINITY) return;
    const through = hourIdx - this.behind;
    for (const [hour, open] of this.open) {
      if (hour > through) continue;
      // a kept hour (keepFirstHour) never loses its sets: with onFrozen it leaves whole, sets and all,
      // so the reader holds only its open hours (at 20,000 customers, a third of a worker's windows
      // were its first hour, kept to the end); without, it stays here
      const kept = hour <= this.keepThrough;
      if (kept && this.onFrozen === null) continue;
      this.open.delete(hour);
      for (let i = 0; i < open.count; i++) {
        if (!this.keepSets && !kept) freezeSlot(open.states[i], hour, open.slots[i]);
        this.onFrozen?.(open.states[i], hour, open.slots[i]);
      }
      open.count = 0;
      this.spare = open;
    }
  }

  /** A new hour slot, to freeze once the input has moved far enough past it. */
  opened(state: CustomerWindows, hourIdx: number, slot: HourSlot): void {
    if (this.behind === Number.POSITIVE_INFINITY) return;
    let open = this.open.get(hourIdx);
    if (!open) {
      open = this.spare ?? { states: [], slots: [], count: 0 };
      this.spare = null;
      this.open.set(hourIdx, open);
    }
    open.states[open.count] = state;
    open.slots[open.count++] = slot;
  }

  markRecount(customerId: string, hourIdx: number): void {
    const key = `${customerId}\u0000${hourIdx}`;
    if (!this.recount.has(key)) this.recount.set(key, { customerId, hourIdx });
  }

  recounted(customerId: string, hourIdx: number): void {
    this.recount.delete(`${customerId}\u0000${hourIdx}`);
  }

  recountNeeded(): WindowRef[] {
    return [...this.recount.values()];
  }

  /** Forgets every slot and recount (the windows left the aggregator). */
  clear(): void {
    this.open.clear();
    this.recount.clear();
  }
}

function freezeSlot(state: CustomerWindows, hourIdx: number, slot: HourSlot): void {
  slot.frozen = true;
  slot.w.called.freeze();
  slot.w.pairs.freeze();
  if (!slot.split) return;
  for (const byHour of state.trunks.values()) {
    const tw = byHour.get(hourIdx);
    if (tw) {
      tw.called.freeze();
      tw.pairs.freeze();
    }
  }
}
