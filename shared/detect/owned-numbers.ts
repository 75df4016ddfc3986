/**
 * Every (customer, number) pair of a number inventory in one open-addressing table of 32-bit words:
 * the customer's number in the inventory and the number's key, split (see KEY_SPLIT). A call is
 * checked against its customer's numbers once per call; with a set per customer (an object, its
 * typed array and that array's memory elsewhere) each check was three or four dependent cache misses
 * once thousands of customers' sets no longer fit in the cache, about a tenth of an analyze worker's
 * time at 20,000 customers. Here it is one probe into one array.
 */

/** words per slot: customer number + 1 (0 marks an empty slot), the key's high part, its low part, unused */
const WORDS = 4;

function slotHash(customerNo: number, hi: number, lo: number): number {
  let h = Math.imul(customerNo ^ 0x5bd1e995, 0x9e3779b1) ^ hi;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ lo;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An OwnedNumbers table as another thread takes it: its words in shared memory, read in place. */
export interface SharedOwnedNumbers {
  slots: Int32Array;
  size: number;
}

export class OwnedNumbers {
  private slots: Int32Array = new Int32Array(16 * WORDS);
  /** slot count - 1 (a power of two, minus one) */
  private mask = 15;
  size = 0;

  /**
   * The table in shared memory, for other threads to read without building their own (fromShared):
   * its words are copied there once, and this table reads them there from now on.
   */
  share(): SharedOwnedNumbers {
    if (!(this.slots.buffer instanceof SharedArrayBuffer)) {
      const shared = new Int32Array(new SharedArrayBuffer(this.slots.byteLength));
      shared.set(this.slots);
      this.slots = shared;
    }
    return { slots: this.slots, size: this.size };
  }

  /**
   * A table reading the words of a shared one. Only read it: a pair added here would be one other
   * threads see half written (none adds after sharing: the inventory is read once, before any call).
   */
  static fromShared(s: SharedOwnedNumbers): OwnedNumbers {
    const t = new OwnedNumbers();
    t.slots = s.slots;
    t.mask = s.slots.length / WORDS - 1;
    t.size = s.size;
    return t;
  }

  /** Adds the key hi * KEY_SPLIT + lo for the customer numbered `customerNo` (>= 0); false if it was there. */
  add(customerNo: number, hi: number, lo: number): boolean {
    const at = this.find(customerNo, hi, lo);
    if (at >= 0) return false;
    const s = this.slots;
    const free = -at - 1;
    s[free] = customerNo + 1;
    s[free + 1] = hi;
    s[free + 2] = lo;
    if (++this.size * 2 > this.mask + 1) this.grow();
    return true;
  }

  /** Sizes an empty table for `count` pairs, so that adding them never grows it. */
  reserve(count: number): void {
    if (this.size > 0) return;
    let slots = this.mask + 1;
    while (slots < count * 2) slots *= 2;
    if (slots === this.mask + 1) return;
    this.slots = new Int32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  has(customerNo: number, hi: number, lo: number): boolean {
    return this.find(customerNo, hi, lo) >= 0;
  }

  /** The word index of the pair's slot, or -(index + 1) of the empty slot where it would go. */
  private find(customerNo: number, hi: number, lo: number): number {
    const s = this.slots;
    const owner = customerNo + 1;
    let i = slotHash(customerNo, hi, lo) & this.mask;
    for (;;) {
      const at = i * WORDS;
      const o = s[at];
      if (o === 0) return -at - 1;
      if (o === owner && s[at + 1] === hi && s[at + 2] === lo) return at;
      i = (i + 1) & this.mask;
    }
  }

  /** Every pair, in no particular order. */
  forEach(fn: (customerNo: number, hi: number, lo: number) => void): void {
    const s = this.slots;
    for (let at = 0; at < s.length; at += WORDS) if (s[at] !== 0) fn(s[at] - 1, s[at + 1], s[at + 2]);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / WORDS - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += WORDS)
      if (old[at] !== 0) this.add(old[at] - 1, old[at + 1], old[at + 2]);
  }
}
