import type { CustomerWindows, HourSlot } from './customer-hours.ts';

/**
 * The slots of one hour, with their customers: two arrays side by side rather than an object per
 * slot (one more allocation per customer-hour, kept until the hour leaves). The first `count`
 * entries are the hour's: the arrays are kept at their length for the next hour, where emptying them
 * (length 0) dropped their storage, and growing it again to 17,500 slots an hour (20,000 customers)
 * left about 5 MB of garbage a worker in the old generation.
 */
interface OpenHour {
  states: CustomerWindows[];
  slots: HourSlot[];
  count: number;
}

/**
 * The hours a spilling reader holds (AggregatorOptions.spill), by hour: once the input reaches
 * `behindHours` past an hour, each of its slots goes to `leave`, which writes it out whole, sets and
 * all, and drops it. A call that comes later for such an hour opens it again, and it leaves again
 * at the next latest hour: the importer merges the parts exactly. Memory follows the open hours while
 * the input comes in time order, as switches write it (by start or by end of call alike).
 */
export class OpenHours {
  private readonly behind: number;
  private readonly leave: (state: CustomerWindows, hourIdx: number, slot: HourSlot) => void;
  /** highest hour index seen */
  private maxHourIdx = Number.NEGATIVE_INFINITY;
  /** slots by hour index: an hour's slots leave together, without visiting the hours still open */
  private open = new Map<number, OpenHour>();
  /** the emptied OpenHour of the hour that left last, taken by the next hour opened */
  private spare: OpenHour | null = null;

  constructor(behindHours: number, leave: (state: CustomerWindows, hourIdx: number, slot: HourSlot) => void) {
    this.behind = Math.max(1, behindHours);
    this.leave = leave;
  }

  /** A call's hour: when it is a new latest hour, the hours it has left far enough behind leave. */
  see(hourIdx: number): void {
    if (hourIdx <= this.maxHourIdx) return;
    this.maxHourIdx = hourIdx;
    const through = hourIdx - this.behind;
    for (const [hour, open] of this.open) {
      if (hour > through) continue;
      this.open.delete(hour);
      for (let i = 0; i < open.count; i++) this.leave(open.states[i], hour, open.slots[i]);
      open.count = 0;
      this.spare = open;
    }
  }

  /** A new hour slot, to leave once the input has moved far enough past it. */
  opened(state: CustomerWindows, hourIdx: number, slot: HourSlot): void {
    let open = this.open.get(hourIdx);
    if (!open) {
      open = this.spare ?? { states: [], slots: [], count: 0 };
      this.spare = null;
      this.open.set(hourIdx, open);
    }
    open.states[open.count] = state;
    open.slots[open.count++] = slot;
  }

  /** Forgets every slot (the windows left the aggregator). */
  clear(): void {
    this.open.clear();
  }
}
