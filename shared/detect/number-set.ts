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

export class NumberSet {
  private table: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity * 2) cap *= 2;
    this.table = new Float64Array(cap).fill(EMPTY);
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
    this.table = new Float64Array(old.length * 2).fill(EMPTY);
    this.mask = this.table.length - 1;
    this.size = 0;
    for (let j = 0; j < old.length; j++) if (old[j] !== EMPTY) this.add(old[j]);
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
