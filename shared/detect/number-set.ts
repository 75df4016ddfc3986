/**
 * A set of non-negative integer keys below 2^53 (phone numbers as numbers, hashed pairs), stored in an
 * open-addressing Float64Array. A JS Set of such keys boxes each one as a heap number; this keeps
 * 8 bytes per slot at load <= 0.5 and no per-key allocation, which matters at millions of calls.
 */
const EMPTY = -1;

function slotHash(key: number): number {
  let h = (key >>> 0) ^ Math.imul(Math.floor(key / 4294967296) | 0, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Tables of sets that dropped their keys (a window frozen once the input moved past it, a set that
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
  /** null while the keys fit in k0..k3 */
  private table: Float64Array | null = null;
  private mask = 0;
  private k0 = EMPTY;
  private k1 = EMPTY;
  private k2 = EMPTY;
  private k3 = EMPTY;
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
    const t = this.table;
    if (t === null) return this.addInline(key);
    let i = slotHash(key) & this.mask;
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

  private addInline(key: number): boolean {
    const n = this.size;
    if ((n > 0 && this.k0 === key) || (n > 1 && this.k1 === key) || (n > 2 && this.k2 === key)) return false;
    if (n > 3 && this.k3 === key) return false;
    if (n === 0) this.k0 = key;
    else if (n === 1) this.k1 = key;
    else if (n === 2) this.k2 = key;
    else if (n === 3) this.k3 = key;
    else {
      // the fifth key: the inline keys move into a table
      const held = [this.k0, this.k1, this.k2, this.k3];
      this.allocate(INLINE + 1);
      this.size = 0;
      this.k0 = this.k1 = this.k2 = this.k3 = EMPTY;
      for (const k of held) this.add(k);
      return this.add(key);
    }
    this.size = n + 1;
    return true;
  }

  has(key: number): boolean {
    const t = this.table;
    if (t === null) {
      const n = this.size;
      return (
        (n > 0 && this.k0 === key) ||
        (n > 1 && this.k1 === key) ||
        (n > 2 && this.k2 === key) ||
        (n > 3 && this.k3 === key)
      );
    }
    let i = slotHash(key) & this.mask;
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
    for (let j = 0; j < old.length; j++) if (old[j] !== EMPTY) this.add(old[j]);
    recycle(old);
  }

  /**
   * Hands the table back for reuse by later sets of this thread, leaving this set empty: for an owner
   * that drops the set's keys for good.
   */
  release(): void {
    if (this.table !== null) recycle(this.table);
    this.table = null;
    this.mask = 0;
    this.k0 = this.k1 = this.k2 = this.k3 = EMPTY;
    this.size = 0;
  }

  *[Symbol.iterator](): Generator<number> {
    const keys: number[] = [];
    this.forEach((k) => {
      keys.push(k);
    });
    yield* keys;
  }

  forEach(fn: (key: number) => void): void {
    const t = this.table;
    if (t === null) {
      const n = this.size;
      if (n > 0) fn(this.k0);
      if (n > 1) fn(this.k1);
      if (n > 2) fn(this.k2);
      if (n > 3) fn(this.k3);
      return;
    }
    for (let j = 0; j < t.length; j++) if (t[j] !== EMPTY) fn(t[j]);
  }

  clone(): NumberSet {
    const c = new NumberSet(0);
    c.table = this.table === null ? null : new Float64Array(this.table);
    c.mask = this.mask;
    c.k0 = this.k0;
    c.k1 = this.k1;
    c.k2 = this.k2;
    c.k3 = this.k3;
    c.size = this.size;
    return c;
  }
}
