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
  // a transferred table is detached (length 0); only power-of-two lengths come from emptyTable
  if (t.length < 8 || pooledBytes + t.byteLength > POOL_MAX_BYTES) return;
  pooledBytes += t.byteLength;
  pool[31 - Math.clz32(t.length)].push(t);
}

/** bytes the pool holds now, for tests */
export function pooledTableBytes(): number {
  return pooledBytes;
}

export class NumberSet {
  private table: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity * 2) cap *= 2;
    this.table = emptyTable(cap);
    this.mask = cap - 1;
  }

  add(key: number): boolean {
    const t = this.table;
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

  has(key: number): boolean {
    const t = this.table;
    let i = slotHash(key) & this.mask;
    for (;;) {
      const v = t[i];
      if (v === key) return true;
      if (v === EMPTY) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = emptyTable(old.length * 2);
    this.mask = this.table.length - 1;
    this.size = 0;
    for (let j = 0; j < old.length; j++) if (old[j] !== EMPTY) this.add(old[j]);
    recycle(old);
  }

  /**
   * Hands the table back for reuse by later sets of this thread, leaving this set empty: for an owner
   * that drops the set's keys for good (never after toTransfer, whose table has left).
   */
  release(): void {
    recycle(this.table);
    this.table = new Float64Array(8).fill(EMPTY);
    this.mask = 7;
    this.size = 0;
  }

  *[Symbol.iterator](): Generator<number> {
    const t = this.table;
    for (let j = 0; j < t.length; j++) if (t[j] !== EMPTY) yield t[j];
  }

  forEach(fn: (key: number) => void): void {
    const t = this.table;
    for (let j = 0; j < t.length; j++) if (t[j] !== EMPTY) fn(t[j]);
  }

  /** The raw table, for moving the set to another thread (transfer `table.buffer`; this set is then dead). */
  toTransfer(): { table: Float64Array; size: number } {
    return { table: this.table, size: this.size };
  }

  /** Adopts a table made by toTransfer, without rehashing. */
  static fromTransfer(t: { table: Float64Array; size: number }): NumberSet {
    const n = t.table.length;
    if (n < 8 || (n & (n - 1)) !== 0)
      throw new RangeError(`number set table length ${n} is not a power of two >= 8`);
    const s = new NumberSet(0);
    s.table = t.table;
    s.mask = n - 1;
    s.size = t.size;
    return s;
  }

  clone(): NumberSet {
    const c = new NumberSet(0);
    c.table = new Float64Array(this.table);
    c.mask = this.mask;
    c.size = this.size;
    return c;
  }
}
