/**
 * Turns short byte ranges (customer ids, trunk ids) into strings without decoding every row: the
 * first time a byte sequence is seen it is decoded once, later rows find the same string instance
 * by hashing and comparing bytes. Distinct ids per batch are few (hundreds), so the table stays small.
 */
/** FNV-1a over the id's bytes: `h = imul(h ^ byte, FNV_PRIME)` from FNV_OFFSET (readers may hash while scanning) */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 16777619;

/**
 * FNV-1a's low bits depend only on the low bits of each byte, so ids that differ in a digit or two
 * (C0001, C0002, T17-1...) crowd into few slots; mixing the high bits in spreads thousands of them.
 */
function slotOf(h: number): number {
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) ^ (h >>> 13);
}

/**
 * Kept flat so that a lookup touches few cache lines, which matters once ids number in the tens of
 * thousands (20,000 customers with two trunks each): each slot is [hash, id number] side by side in
 * one Int32Array, and every id's bytes sit in one growing byte arena at [start, start + length).
 */
export class ByteInterner {
  /** per slot: hash, then id number + 1 (0 = empty) */
  private slots = new Int32Array(512);
  private mask = 255;
  /** id bytes, back to back */
  private arena = new Uint8Array(4096);
  private used = 0;
  /** per id: start in the arena, then length */
  private spans = new Int32Array(512);
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
      const id = slots[2 * i + 1] - 1;
      if (id === -1) break;
      if (slots[2 * i] === h && this.spans[2 * id + 1] === len && this.sameBytes(id, buf, start, len)) {
        this.lastIndex = id;
        this.lastBad = this.bad[id] === 1;
        return this.values[id];
      }
      i = (i + 1) & mask;
    }
    return this.add(buf, start, end, h, i);
  }

  private sameBytes(id: number, buf: Buffer, start: number, len: number): boolean {
    const arena = this.arena;
    const at = this.spans[2 * id];
    for (let j = 0; j < len; j++) if (arena[at + j] !== buf[start + j]) return false;
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
    if (2 * id + 2 > this.spans.length) this.spans = grown(this.spans, this.spans.length * 2);
    this.spans[2 * id] = this.used;
    this.spans[2 * id + 1] = len;
    this.used += len;
    this.slots[2 * i] = h;
    this.slots[2 * i + 1] = id + 1;
    // at most half the slots in use: probe runs stay short
    if (this.values.length * 2 > this.mask + 1) this.grow();
    return value;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const old = this.slots;
    const slots = new Int32Array(2 * n);
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let i = slotOf(old[s]) & (n - 1);
      while (slots[2 * i + 1] !== 0) i = (i + 1) & (n - 1);
      slots[2 * i] = old[s];
      slots[2 * i + 1] = old[s + 1];
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
