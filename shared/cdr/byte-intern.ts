/**
 * Turns short byte ranges (customer ids, trunk ids) into strings without decoding every row: the
 * first time a byte sequence is seen it is decoded once, later rows find the same string instance
 * by hashing and comparing bytes. Distinct ids per batch are few (hundreds), so the table stays small.
 */
/** FNV-1a over the id's bytes: `h = imul(h ^ byte, FNV_PRIME)` from FNV_OFFSET (readers may hash while scanning) */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 16777619;

/** murmur3's finalizer: every input bit moves every output bit, and no two inputs give one output */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * FNV-1a's low bits depend only on the low bits of each byte, so ids that differ in a digit or two
 * (C0001, C0002, T17-1...) crowd into few slots; mixing the high bits in spreads thousands of them.
 */
function slotOf(h: number): number {
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) ^ (h >>> 13);
}

/** words per slot of ByteInterner */
const SLOT = 4;

/**
 * Kept flat so that a lookup touches few cache lines, which matters once ids number in the tens of
 * thousands (20,000 customers with two trunks each): each slot is [hash, id number, start, length] side
 * by side in one Int32Array, so the bytes to compare are found from the slot itself, and every id's
 * bytes sit in one growing byte arena at [start, start + length). (With the span in an array of its
 * own, each lookup was one more cache miss, twice per row.)
 */
export class ByteInterner {
  /** per slot: hash, id number + 1 (0 = empty), start in the arena, length */
  private slots = new Int32Array(256 * SLOT);
  private mask = 255;
  /** id bytes, back to back */
  private arena = new Uint8Array(4096);
  private used = 0;
  private readonly values: string[] = [];
  private bad = new Uint8Array(256);
  /** index of the string the last intern returned: 0, 1, 2... in order of first sight, for per-id tables */
  lastIndex = -1;
  /**
   * whether the bytes of the last intern are not a usable id (invalid UTF-8, which decoding would
   * replace, or a NUL): checked once per distinct id, so the reader can hand such rows to the general lane
   */
  lastBad = false;

  /** The string for buf[start, end), decoded as UTF-8 exactly like `buf.toString('utf8', start, end)`. */
  intern(buf: Buffer, start: number, end: number): string {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    return this.internHashed(buf, start, end, h);
  }

  /** intern() for a caller that already computed the FNV-1a hash `h` of buf[start, end). */
  internHashed(buf: Buffer, start: number, end: number, h: number): string {
    const slots = this.slots;
    const mask = this.mask;
    const len = end - start;
    let i = slotOf(h) & mask;
    for (;;) {
      const at = i * SLOT;
      const id = slots[at + 1] - 1;
      if (id === -1) break;
      if (slots[at] === h && slots[at + 3] === len && this.sameBytes(slots[at + 2], buf, start, len)) {
        this.lastIndex = id;
        this.lastBad = this.bad[id] === 1;
        return this.values[id];
      }
      i = (i + 1) & mask;
    }
    return this.add(buf, start, end, h, i);
  }

  private sameBytes(from: number, buf: Buffer, start: number, len: number): boolean {
    const arena = this.arena;
    for (let j = 0; j < len; j++) if (arena[from + j] !== buf[start + j]) return false;
    return true;
  }

  /** A new id in empty slot i. */
  private add(buf: Buffer, start: number, end: number, h: number, i: number): string {
    const value = buf.toString('utf8', start, end);
    const id = this.values.length;
    const len = end - start;
    this.lastBad = value.includes('\uFFFD') || value.includes('\u0000');
    this.lastIndex = id;
    this.values.push(value);
    if (id >= this.bad.length) this.bad = grown(this.bad, this.bad.length * 2);
    this.bad[id] = this.lastBad ? 1 : 0;
    if (this.used + len > this.arena.length)
      this.arena = grown(this.arena, Math.max(this.arena.length * 2, this.used + len));
    this.arena.set(buf.subarray(start, end), this.used);
    const at = i * SLOT;
    this.slots[at] = h;
    this.slots[at + 1] = id + 1;
    this.slots[at + 2] = this.used;
    this.slots[at + 3] = len;
    this.used += len;
    // at most half the slots in use: probe runs stay short
    if (this.values.length * 2 > this.mask + 1) this.grow();
    return value;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const old = this.slots;
    const slots = new Int32Array(n * SLOT);
    for (let s = 0; s < old.length; s += SLOT) {
      if (old[s + 1] === 0) continue;
      let i = slotOf(old[s]) & (n - 1);
      while (slots[i * SLOT + 1] !== 0) i = (i + 1) & (n - 1);
      slots.set(old.subarray(s, s + SLOT), i * SLOT);
    }
    this.slots = slots;
    this.mask = n - 1;
  }
}

/** A copy of `a` with room for `length` elements. */
function grown<T extends Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(a: T, length: number): T {
  const b = (a instanceof Uint8Array ? new Uint8Array(length) : new Int32Array(length)) as T;
  b.set(a);
  return b;
}
