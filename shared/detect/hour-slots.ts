/**
 * A customer's hour slots by hour index, in the order they were added: the first INLINE in fields of
 * its own, more in a Map made at the first one past them and kept from then on.
 *
 * A reader that writes hours out as the input leaves them behind holds one to three hours of a
 * customer at a time, adding one and dropping one every hour. A Map per customer cost about 400
 * bytes of table each (8 MB a worker at 20,000 customers), and adding and deleting made it rebuild
 * its table every few hours: about 12 MB of garbage a worker over 12 hours, left in the old
 * generation for a full collection. A customer built whole for scoring (a day is 24 hours) takes
 * the Map, as before.
 */
export class HourSlots<S> {
  private h0 = 0;
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private s0: S | null = null;
  private s1: S | null = null;
  private s2: S | null = null;
  private s3: S | null = null;
  /** slots in the fields above, in order; 0 once `map` holds them all */
  private n = 0;
  private map: Map<number, S> | null = null;

  get size(): number {
    return this.map === null ? this.n : this.map.size;
  }

  /** the place of `hourIdx` among the inline slots, or -1 */
  private indexOf(hourIdx: number): number {
    const n = this.n;
    if (n > 0 && this.h0 === hourIdx) return 0;
    if (n > 1 && this.h1 === hourIdx) return 1;
    if (n > 2 && this.h2 === hourIdx) return 2;
    if (n > 3 && this.h3 === hourIdx) return 3;
    return -1;
  }

  private slotAt(i: number): S {
    return (i === 0 ? this.s0 : i === 1 ? this.s1 : i === 2 ? this.s2 : this.s3) as S;
  }

  private hourAt(i: number): number {
    return i === 0 ? this.h0 : i === 1 ? this.h1 : i === 2 ? this.h2 : this.h3;
  }

  private put(i: number, hourIdx: number, slot: S | null): void {
    if (i === 0) {
      this.h0 = hourIdx;
      this.s0 = slot;
    } else if (i === 1) {
      this.h1 = hourIdx;
      this.s1 = slot;
    } else if (i === 2) {
      this.h2 = hourIdx;
      this.s2 = slot;
    } else {
      this.h3 = hourIdx;
      this.s3 = slot;
    }
  }

  get(hourIdx: number): S | undefined {
    if (this.map !== null) return this.map.get(hourIdx);
    const i = this.indexOf(hourIdx);
    return i < 0 ? undefined : this.slotAt(i);
  }

  has(hourIdx: number): boolean {
    return this.map !== null ? this.map.has(hourIdx) : this.indexOf(hourIdx) >= 0;
  }

  /** Sets the hour's slot: in its place when the hour is there, else after the others. */
  set(hourIdx: number, slot: S): void {
    if (this.map !== null) {
      this.map.set(hourIdx, slot);
      return;
    }
    const i = this.indexOf(hourIdx);
    if (i >= 0) this.put(i, hourIdx, slot);
    else if (this.n < INLINE) this.put(this.n++, hourIdx, slot);
    else {
      const map = new Map<number, S>();
      for (let j = 0; j < INLINE; j++) map.set(this.hourAt(j), this.slotAt(j));
      map.set(hourIdx, slot);
      for (let j = 0; j < INLINE; j++) this.put(j, 0, null);
      this.n = 0;
      this.map = map;
    }
  }

  /** Drops the hour's slot (the ones after it keep their order); true when it was there. */
  delete(hourIdx: number): boolean {
    if (this.map !== null) return this.map.delete(hourIdx);
    const i = this.indexOf(hourIdx);
    if (i < 0) return false;
    for (let j = i + 1; j < this.n; j++) this.put(j - 1, this.hourAt(j), this.slotAt(j));
    this.put(--this.n, 0, null);
    return true;
  }

  /**
   * Calls `fn` with every slot and its hour, in order; `self` is its `this` (a writer passes itself
   * and a plain function: no closure per customer). Slots must not be added or dropped meanwhile.
   */
  forEach<T>(fn: (this: T, slot: S, hourIdx: number) => void, self?: T): void {
    if (this.map !== null) {
      for (const [hourIdx, slot] of this.map) fn.call(self as T, slot, hourIdx);
      return;
    }
    for (let i = 0; i < this.n; i++) fn.call(self as T, this.slotAt(i), this.hourAt(i));
  }

  /** The slots in order, as a new array. */
  values(): S[] {
    const out: S[] = [];
    this.forEach((slot) => {
      out.push(slot);
    });
    return out;
  }
}

/** hours held in an HourSlots' own fields */
const INLINE = 4;
