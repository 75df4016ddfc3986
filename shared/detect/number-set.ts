/**
 * A set of non-negative integer keys below 2^53 (phone numbers as numbers, hashed pairs), stored in an
 * open-addressing Float64Array. A JS Set of such keys boxes each one as a heap number; this keeps
 * 8 bytes per slot at load <= 0.5 and no per-key allocation, which matters at millions of calls.
 */
import { fmix32 } from '../cdr/byte-intern.ts';

const EMPTY = -1;

/**
 * A key as two small integers, key = hi * KEY_SPLIT + lo (hi below 2^27, lo below 2^26). Hot callers
 * pass keys this way (addParts, hasParts): V8 boxes a double above 2^31 in a new heap number when it
 * passes it to a function it did not inline, and three sets per call took half of what a worker
 * allocated (and the collections that went with it). Split a key with keyHigh and keyLow.
 */
export const KEY_SPLIT = 2 ** 26;

/** The high part of a key below 2^53 (see KEY_SPLIT); small enough that V8 always inlines it. */
export function keyHigh(key: number): number {
  return (key / KEY_SPLIT) | 0;
}

/** The low part of a key whose high part is `hi`. */
export function keyLow(key: number, hi: number): number {
  return (key - hi * KEY_SPLIT) | 0;
}

/** A slot hash of the key hi * KEY_SPLIT + lo, from its low and high 32 bits (all in small integers). */
function slotHash(hi: number, lo: number): number {
  return fmix32(((hi << 26) | lo) ^ Math.imul(hi >>> 6, 0x9e3779b1));
}

/**
 * Tables of sets that dropped their keys (a window written out once the input moved past it, a set that
 * grew or turned into HyperLogLog), kept by length for this thread's next sets. Left to the garbage
 * collector, those tables, long-lived and so freed only by a full collection, piled up by tens of MB
 * in a long read before one ran (peak RSS grew with the rows per hour). Bounded, so a burst of
 * frees does not pin memory.
 */
const POOL_MAX_BYTES = 16 << 20;
const pool: Float64Array[][] = Array.from({ length: 32 }, () => []);
let pooledBytes = 0;

/** An empty table of `length` slots (a power of two), reused from the pool when one is there. */
function emptyTable(length: number): Float64Array {
  const t = pool[31 - Math.clz32(length)].pop();
  if (t === undefined) return new Float64Array(length).fill(EMPTY);
  pooledBytes -= t.byteLength;
  return t.fill(EMPTY);
}

function recycle(t: Float64Array): void {
  // only power-of-two lengths come from emptyTable
  if (t.length < 16 || pooledBytes + t.byteLength > POOL_MAX_BYTES) return;
  pooledBytes += t.byteLength;
  pool[31 - Math.clz32(t.length)].push(t);
}

/** bytes the pool holds now, for tests */
export function pooledTableBytes(): number {
  return pooledBytes;
}

/** keys held in the set's own fields before it takes a table: most customer-hours of a carrier are small */
const INLINE = 4;

/**
 * Up to INLINE keys live in fields of the set itself (no table, compared one by one); the fifth key
 * moves them into an open-addressing table, which then doubles as it fills. A window of a customer
 * with two calls an hour then costs no typed array at all.
 */
export class NumberSet {
  /**
   * null while the keys fit in the inline fields. An inline key is kept split (see KEY_SPLIT): V8
   * stores a field that holds a double (a key above 2^31) as a pointer to a separate heap number, so
   * four double fields cost four more objects per set, three sets per window, for the collector to
   * copy and the CPU to fetch.
   */
  private table: Float64Array | null = null;
  private mask = 0;
  private h0 = 0;
  private l0 = 0;
  private h1 = 0;
  private l1 = 0;
  private h2 = 0;
  private l2 = 0;
  private h3 = 0;
  private l3 = 0;
  size = 0;

  /** `capacity`: keys expected; above INLINE the table is sized for them at once */
  constructor(capacity = 0) {
    if (capacity > INLINE) this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.table = emptyTable(cap);
    this.mask = cap - 1;
  }

  add(key: number): boolean {
    const hi = keyHigh(key);
    return this.addParts(hi, keyLow(key, hi));
  }

  /** add() of the key hi * KEY_SPLIT + lo (what a subclass makes of adding a key goes here) */
  addParts(hi: number, lo: number): boolean {
    return this.insert(hi, lo);
  }

  /** add() as the set itself does it, whatever a subclass makes of add() (its own moves use this) */
  protected insert(hi: number, lo: number): boolean {
    const t = this.table;
    if (t === null) return this.addInline(hi, lo);
    const key = hi * KEY_SPLIT + lo;
    let i = slotHash(hi, lo) & this.mask;
    for (;;) {
      const v = t[i];
      if (v === key) return false;
      if (v === EMPTY) break;
      i = (i + 1) & this.mask;
    }
    t[i] = key;
    if (++this.size * 2 > t.length) this.grow();
    return true;
  }

  /** index of the inline key equal to hi * KEY_SPLIT + lo, or -1 */
  private inlineIndex(hi: number, lo: number): number {
    const n = this.size;
    if (n > 0 && this.l0 === lo && this.h0 === hi) return 0;
    if (n > 1 && this.l1 === lo && this.h1 === hi) return 1;
    if (n > 2 && this.l2 === lo && this.h2 === hi) return 2;
    if (n > 3 && this.l3 === lo && this.h3 === hi) return 3;
    return -1;
  }

  private inlineHigh(i: number): number {
    return i === 0 ? this.h0 : i === 1 ? this.h1 : i === 2 ? this.h2 : this.h3;
  }

  private inlineLow(i: number): number {
    return i === 0 ? this.l0 : i === 1 ? this.l1 : i === 2 ? this.l2 : this.l3;
  }

  private inlineKey(i: number): number {
    return this.inlineHigh(i) * KEY_SPLIT + this.inlineLow(i);
  }

  private addInline(hi: number, lo: number): boolean {
    if (this.inlineIndex(hi, lo) >= 0) return false;
    const n = this.size;
    if (n === 0) {
      this.h0 = hi;
      this.l0 = lo;
    } else if (n === 1) {
      this.h1 = hi;
      this.l1 = lo;
    } else if (n === 2) {
      this.h2 = hi;
      this.l2 = lo;
    } else if (n === 3) {
      this.h3 = hi;
      this.l3 = lo;
    } else {
      // the fifth key: the inline keys move into a table
      const { h0, l0, h1, l1, h2, l2, h3, l3 } = this;
      this.allocate(INLINE + 1);
      this.size = 0;
      this.insert(h0, l0);
      this.insert(h1, l1);
      this.insert(h2, l2);
      this.insert(h3, l3);
      return this.insert(hi, lo);
    }
    this.size = n + 1;
    return true;
  }

  has(key: number): boolean {
    const hi = keyHigh(key);
    return this.hasParts(hi, keyLow(key, hi));
  }

  /** has() of the key hi * KEY_SPLIT + lo */
  hasParts(hi: number, lo: number): boolean {
    const t = this.table;
    if (t === null) return this.inlineIndex(hi, lo) >= 0;
    const key = hi * KEY_SPLIT + lo;
    let i = slotHash(hi, lo) & this.mask;
    for (;;) {
      const v = t[i];
      if (v === key) return true;
      if (v === EMPTY) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table as Float64Array;
    this.table = emptyTable(old.length * 2);
    this.mask = this.table.length - 1;
    this.size = 0;
    for (let j = 0; j < old.length; j++) {
      const key = old[j];
      if (key === EMPTY) continue;
      const hi = keyHigh(key);
      this.insert(hi, keyLow(key, hi));
    }
    recycle(old);
  }

  /** Empties the set for new keys, sized for `capacity` as a new set would be (the table goes back to the pool). */
  reuse(capacity = 0): void {
    this.release();
    if (capacity > INLINE) this.allocate(capacity);
  }

  /**
   * Hands the table back for reuse by later sets of this thread, leaving this set empty: for an owner
   * that drops the set's keys for good.
   */
  release(): void {
    if (this.table !== null) recycle(this.table);
    this.table = null;
    this.mask = 0;
    this.size = 0;
  }

  *[Symbol.iterator](): Generator<number> {
    const keys: number[] = [];
    this.forEach((k) => {
      keys.push(k);
    });
    yield* keys;
  }

  /**
   * Writes the keys into `into` from index `at` on, each as its two parts (see KEY_SPLIT), high part
   * first: 2 * size words, keys in no particular order.
   */
  copyKeyParts(into: Int32Array, at: number): void {
    const t = this.table;
    let k = at;
    if (t === null) {
      for (let i = 0; i < this.size; i++) {
        into[k++] = this.inlineHigh(i);
        into[k++] = this.inlineLow(i);
      }
      return;
    }
    for (let j = 0; j < t.length; j++) {
      const key = t[j];
      if (key === EMPTY) continue;
      const hi = keyHigh(key);
      into[k++] = hi;
      into[k++] = keyLow(key, hi);
    }
  }

  forEach(fn: (key: number) => void): void {
    const t = this.table;
    if (t === null) {
      for (let i = 0; i < this.size; i++) fn(this.inlineKey(i));
      return;
    }
    for (let j = 0; j < t.length; j++) if (t[j] !== EMPTY) fn(t[j]);
  }

  clone(): NumberSet {
    const c = new NumberSet(0);
    this.copyInto(c);
    return c;
  }

  /** Makes `c` (an empty set) hold this set's keys, in a table of its own. */
  protected copyInto(c: NumberSet): void {
    c.table = this.table === null ? null : new Float64Array(this.table);
    c.mask = this.mask;
    c.h0 = this.h0;
    c.l0 = this.l0;
    c.h1 = this.h1;
    c.l1 = this.l1;
    c.h2 = this.h2;
    c.l2 = this.l2;
    c.h3 = this.h3;
    c.l3 = this.l3;
    c.size = this.size;
  }
}
