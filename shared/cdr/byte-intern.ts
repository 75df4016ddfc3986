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

export class ByteInterner {
  private keys: Buffer[] = [];
  private values: string[] = [];
  private slots = new Int32Array(256).fill(-1);
  /** index of the string the last intern returned: 0, 1, 2... in order of first sight, for per-id tables */
  lastIndex = -1;
  /**
   * whether the bytes of the last intern are not a usable id (invalid UTF-8, which decoding would
   * replace, or a NUL): checked once per distinct id, so the reader can hand such rows to the general lane
   */
  lastBad = false;
  private bad: boolean[] = [];
  private hashes = new Int32Array(256);

  /** The string for buf[start, end), decoded as UTF-8 exactly like `buf.toString('utf8', start, end)`. */
  intern(buf: Buffer, start: number, end: number): string {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    return this.internHashed(buf, start, end, h);
  }

  /** intern() for a caller that already computed the FNV-1a hash `h` of buf[start, end). */
  internHashed(buf: Buffer, start: number, end: number, h: number): string {
    const mask = this.slots.length - 1;
    let i = slotOf(h) & mask;
    const len = end - start;
    for (;;) {
      const idx = this.slots[i];
      if (idx === -1) break;
      if (this.hashes[i] === h) {
        const k = this.keys[idx];
        if (k.length === len) {
          let same = true;
          for (let j = 0; j < len; j++) {
            if (k[j] !== buf[start + j]) {
              same = false;
              break;
            }
          }
          if (same) {
            this.lastIndex = idx;
            this.lastBad = this.bad[idx];
            return this.values[idx];
          }
        }
      }
      i = (i + 1) & mask;
    }
    const value = buf.toString('utf8', start, end);
    this.lastBad = value.includes('\uFFFD') || value.includes('\u0000');
    this.bad.push(this.lastBad);
    this.lastIndex = this.keys.length;
    this.slots[i] = this.keys.length;
    this.hashes[i] = h;
    this.keys.push(Buffer.from(buf.subarray(start, end)));
    this.values.push(value);
    if (this.keys.length * 2 > this.slots.length) this.grow();
    return value;
  }

  private grow(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n).fill(-1);
    const hashes = new Int32Array(n);
    for (let s = 0; s < this.slots.length; s++) {
      const idx = this.slots[s];
      if (idx === -1) continue;
      let i = slotOf(this.hashes[s]) & (n - 1);
      while (slots[i] !== -1) i = (i + 1) & (n - 1);
      slots[i] = idx;
      hashes[i] = this.hashes[s];
    }
    this.slots = slots;
    this.hashes = hashes;
  }
}
