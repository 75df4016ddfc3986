import { KEY_SPLIT, keyHigh, keyLow } from './number-set.ts';

/**
 * Every (customer, number) pair of a number inventory in one open-addressing table of 32-bit words:
 * the customer's number in the inventory, the number's key, split (see KEY_SPLIT), and whether it is
 * an exact number or a prefix. A call is checked against its customer's numbers once per call; with
 * a set per customer (an object, its typed array and that array's memory elsewhere) each check was
 * three or four dependent cache misses once thousands of customers' sets no longer fit in the cache,
 * about a tenth of an analyze worker's time at 20,000 customers. Here it is one probe into one array.
 *
 * A slot's place depends on the number alone, not on its customer: every customer listing a number
 * sits on that number's one probe sequence, so the probe that asks whether the caller holds its
 * caller ID also finds whoever else holds it (exactHolder), with no second table to look in.
 */

/**
 * words per slot: customer number + 1 (0 marks an empty slot), the key's high part, its low part, and
 * 0 for an exact number or the digit count of a prefix (`+1404881*`: key 1404881, 7)
 */
const WORDS = 4;

/** E.164 numbers have at most 15 digits: a key at or above this is no plain number (see numberKey) */
const PLAIN_KEY_END = 1e15;
/** powers of ten up to 10^15, for cutting a key to its first digits */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

function slotHash(hi: number, lo: number, digits: number): number {
  let h = Math.imul(digits ^ 0x5bd1e995, 0x9e3779b1) ^ hi;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ lo;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Decimal digits of a key below PLAIN_KEY_END (1 for 0). */
function digitsOf(key: number): number {
  let d = 1;
  while (d < 15 && key >= POW10[d]) d++;
  return d;
}

/** An OwnedNumbers table as another thread takes it: its words in shared memory, read in place. */
export interface SharedOwnedNumbers {
  slots: Int32Array;
  size: number;
  entries: number;
  prefixLengths: number;
}

export class OwnedNumbers {
  private slots: Int32Array = new Int32Array(16 * WORDS);
  /** slot count - 1 (a power of two, minus one) */
  private mask = 15;
  /** exact (customer, number) pairs */
  size = 0;
  /** slots taken: exact pairs and prefixes */
  private entries = 0;
  /** bit d set when some prefix has d digits: the lengths a number's holder by prefix is looked for at */
  private prefixLengths = 0;

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
    return { slots: this.slots, size: this.size, entries: this.entries, prefixLengths: this.prefixLengths };
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
    t.entries = s.entries;
    t.prefixLengths = s.prefixLengths;
    return t;
  }

  /** Adds the key hi * KEY_SPLIT + lo for the customer numbered `customerNo` (>= 0); false if it was there. */
  add(customerNo: number, hi: number, lo: number): boolean {
    if (!this.put(customerNo, hi, lo, 0)) return false;
    this.size++;
    return true;
  }

  /**
   * Adds the prefix of `digits` digits (1 to 15) whose value is hi * KEY_SPLIT + lo (`+1404881*`:
   * 1404881, 7) for the customer numbered `customerNo`; false if it was there.
   */
  addPrefix(customerNo: number, hi: number, lo: number, digits: number): boolean {
    if (!(digits >= 1 && digits <= 15)) throw new RangeError(`a prefix has 1 to 15 digits, not ${digits}`);
    if (!this.put(customerNo, hi, lo, digits)) return false;
    this.prefixLengths |= 1 << digits;
    return true;
  }

  private put(customerNo: number, hi: number, lo: number, digits: number): boolean {
    const at = this.find(customerNo, hi, lo, digits);
    if (at >= 0) return false;
    const s = this.slots;
    const free = -at - 1;
    s[free] = customerNo + 1;
    s[free + 1] = hi;
    s[free + 2] = lo;
    s[free + 3] = digits;
    if (++this.entries * 2 > this.mask + 1) this.grow();
    return true;
  }

  /** Sizes an empty table for `count` pairs, so that adding them never grows it. */
  reserve(count: number): void {
    if (this.entries > 0) return;
    let slots = this.mask + 1;
    while (slots < count * 2) slots *= 2;
    if (slots === this.mask + 1) return;
    this.slots = new Int32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  has(customerNo: number, hi: number, lo: number): boolean {
    return this.find(customerNo, hi, lo, 0) >= 0;
  }

  /**
   * Who lists the number hi * KEY_SPLIT + lo exactly: `customerNo` when that customer does (-1 asks
   * for anyone), else another customer that does (one of them, when several do), else -1. One walk
   * of the number's probe sequence, the one has() takes.
   */
  exactHolder(customerNo: number, hi: number, lo: number): number {
    const s = this.slots;
    const owner = customerNo + 1;
    let other = -1;
    let i = slotHash(hi, lo, 0) & this.mask;
    for (;;) {
      const at = i * WORDS;
      const o = s[at];
      if (o === 0) return other;
      if (s[at + 1] === hi && s[at + 2] === lo && s[at + 3] === 0) {
        if (o === owner) return customerNo;
        if (other < 0) other = o - 1;
      }
      i = (i + 1) & this.mask;
    }
  }

  /**
   * The customer whose longest prefix covers the plain E.164 number hi * KEY_SPLIT + lo (one of them,
   * when several list that prefix), or -1: one probe per prefix length the table holds, longest
   * first, and none when it holds no prefixes.
   */
  prefixHolder(hi: number, lo: number): number {
    let lengths = this.prefixLengths;
    if (lengths === 0) return -1;
    const key = hi * KEY_SPLIT + lo;
    if (key >= PLAIN_KEY_END) return -1;
    const digits = digitsOf(key);
    // a prefix covers numbers at least as long as itself
    lengths &= (2 << digits) - 1;
    while (lengths !== 0) {
      const d = 31 - Math.clz32(lengths);
      lengths ^= 1 << d;
      // exact: the quotient of a key below 2^50 is never rounded up to the next integer
      const value = Math.floor(key / POW10[digits - d]);
      const vhi = keyHigh(value);
      const at = this.find(-1, vhi, keyLow(value, vhi), d);
      if (at >= 0) return this.slots[at] - 1;
    }
    return -1;
  }

  /**
   * The word index of the entry's slot, or -(index + 1) of the empty slot where it would go.
   * `customerNo` -1 matches an entry of any customer.
   */
  private find(customerNo: number, hi: number, lo: number, digits: number): number {
    const s = this.slots;
    const owner = customerNo + 1;
    let i = slotHash(hi, lo, digits) & this.mask;
    for (;;) {
      const at = i * WORDS;
      const o = s[at];
      if (o === 0) return -at - 1;
      if ((o === owner || owner === 0) && s[at + 1] === hi && s[at + 2] === lo && s[at + 3] === digits)
        return at;
      i = (i + 1) & this.mask;
    }
  }

  /** Every exact pair (prefixes left out), in no particular order. */
  forEach(fn: (customerNo: number, hi: number, lo: number) => void): void {
    const s = this.slots;
    for (let at = 0; at < s.length; at += WORDS)
      if (s[at] !== 0 && s[at + 3] === 0) fn(s[at] - 1, s[at + 1], s[at + 2]);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / WORDS - 1;
    this.entries = 0;
    for (let at = 0; at < old.length; at += WORDS)
      if (old[at] !== 0) this.put(old[at] - 1, old[at + 1], old[at + 2], old[at + 3]);
  }
}
