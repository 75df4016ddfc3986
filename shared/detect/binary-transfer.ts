import type { NumberSink, NumberSource } from './distinct.ts';

/**
 * Aggregated windows on their way between threads: one byte array, a table of the strings they refer
 * to, and any HLL registers. postMessage moves the arrays' buffers without copying; a structured clone
 * of one object per window (tens of thousands at carrier scale) cost seconds.
 *
 * Almost every number a window holds is a small integer (counters, hour indexes, string numbers,
 * offsets into the hour), most of them below 64: each goes as a variable-length integer (zigzag, then
 * 7 bits a byte, LEB128), one byte for those. Any other number (a fraction, -0, a sum past 2^31, an
 * infinity) is written whole: a five-byte marker (see WIDE_LAST), then its 64 bits. A set's keys go
 * as 32-bit words in a block of their own, aligned to 4 bytes (NumberSink.room). At 20,000 customers
 * a worker's spilled hours, held by the worker while it reads and by the main thread while it scores,
 * took 31 MB as 32-bit words; in this form they take 16-17 MB.
 */
export interface BinaryBundle {
  data: Uint8Array;
  strings: string[];
  regs: Uint8Array[];
  /**
   * where the sets' keys are when the writer kept them apart (KeyBlockSink): the data then holds each
   * key block's place there. Attached by the receiving thread; never posted.
   */
  keys?: KeyBlockSource;
}

/**
 * Where a writer puts the sets' keys instead of among its numbers: a reader whose written-out hours
 * must not stay in memory (their keys are most of their bytes) keeps them in a file.
 */
export interface KeyBlockSink {
  /** room for `count` words at the end of the store: where they go in `words` (until the next call) */
  room(count: number): number;
  readonly words: Int32Array;
  /** the store's place, in words, of the block the last room() gave */
  readonly at: number;
}

/**
 * Key blocks of at most this many words stay among the numbers even when a writer keeps its keys
 * apart: where its place would take about as many bytes as the keys, and reading it back costs a read
 * of the store (at 20,000 customers, 37,000 reads of two keys each took 67 ms).
 */
const INLINE_KEY_WORDS = 8;

/**
 * Whether a key block of `count` words is in the key store (its place among the numbers) rather than
 * among the numbers: the one rule the writer (room) and the reader (beginKeys, skipWords) must share.
 */
function inKeyStore(store: KeyBlockSink | KeyBlockSource | null, count: number): boolean {
  return store !== null && count > INLINE_KEY_WORDS;
}

/** The keys a KeyBlockSink stored, read back a block at a time. */
export interface KeyBlockSource {
  /** copies `count` words from the store's place `at` into `into` from its start */
  read(at: number, count: number, into: Int32Array): void;
  close(): void;
}

/** The buffers postMessage should move rather than copy. */
export function bundleBuffers(b: BinaryBundle): ArrayBuffer[] {
  return [b.data.buffer as ArrayBuffer, ...b.regs.map((r) => r.buffer as ArrayBuffer)];
}

/** Frees a bundle's arrays at once (detached, so reading it afterwards fails rather than finds nothing). */
export function freeBundle(b: BinaryBundle): void {
  for (const buffer of bundleBuffers(b)) buffer.transfer(0);
  b.keys?.close();
}

/**
 * A fixed-width number (reserve, patch, fixed): five bytes, the widest a 32-bit integer takes, padded
 * with continuation bytes that add nothing, so num() reads it like any other.
 */
export const FIXED_BYTES = 5;
/** the fifth byte of the marker of a number written whole: 2^32, past any 32-bit integer's zigzag form */
const WIDE_LAST = 0x10;
/** the most bytes a number takes: the marker and the 8 bytes of a float64 */
const MAX_NUMBER_BYTES = FIXED_BYTES + 8;
/** a number's 64 bits as bytes */
const wide = new Float64Array(1);
const wideBytes = new Uint8Array(wide.buffer);

/** Whether `v` goes as a variable-length integer: a 32-bit integer, and not -0 (which 0 would lose). */
function isInt32(v: number): boolean {
  return (v | 0) === v && (v !== 0 || 1 / v > 0);
}

export class BinaryWriter implements NumberSink {
  private buf: Uint8Array;
  /** the same memory as 32-bit words, for the key blocks room() hands out */
  private view: Int32Array;
  private n = 0;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly regs: Uint8Array[] = [];

  /** where key blocks go when not among the numbers (see KeyBlockSink), and whether the last one did */
  private readonly keys: KeyBlockSink | null;
  private stored = false;

  /**
   * `reserveBytes`: room to take at once. Pages of it never written take no memory, so a writer that
   * may write much reserves generously rather than grow: every array it outgrows waits, already in the
   * old generation, for a full collection.
   */
  constructor(reserveBytes = 0, keys: KeyBlockSink | null = null) {
    this.buf = new Uint8Array(Math.max(1 << 16, Math.ceil(reserveBytes / 4) * 4));
    this.view = new Int32Array(this.buf.buffer);
    this.keys = keys;
  }

  num(v: number): void {
    if (this.n + MAX_NUMBER_BYTES > this.buf.length) this.grow(MAX_NUMBER_BYTES);
    if (isInt32(v)) {
      const buf = this.buf;
      let n = this.n;
      // zigzag: small magnitudes of either sign become small unsigned numbers
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        buf[n++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      buf[n++] = z;
      this.n = n;
    } else this.wide(v);
  }

  /** num() of a number written whole (kept apart so that num() stays small enough to inline) */
  private wide(v: number): void {
    const buf = this.buf;
    buf.fill(0x80, this.n, this.n + FIXED_BYTES - 1);
    buf[this.n + FIXED_BYTES - 1] = WIDE_LAST;
    wide[0] = v;
    buf.set(wideBytes, this.n + FIXED_BYTES);
    this.n += MAX_NUMBER_BYTES;
  }

  /** A non-negative 32-bit integer in FIXED_BYTES bytes at `at` (num() reads it back). */
  private putFixed(at: number, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)
      throw new RangeError(`binary windows: ${v} does not fit the fixed number at ${at}`);
    let z = v * 2;
    for (let i = 0; i < FIXED_BYTES - 1; i++) {
      this.buf[at + i] = (z & 0x7f) | 0x80;
      z = Math.floor(z / 128);
    }
    this.buf[at + FIXED_BYTES - 1] = z;
  }

  /**
   * Room for `count` 32-bit words, to be written straight into `words` from the returned word index
   * on (a set's keys). The block starts on a 4-byte boundary, after up to 3 bytes of padding that
   * NumberSource.word() passes over; no room, no padding. A writer with a key store (the constructor's
   * `keys`) puts a block of more than INLINE_KEY_WORDS there instead, and its place among the numbers.
   */
  room(count: number): number {
    this.stored = inKeyStore(this.keys, count);
    if (this.stored) {
      const keys = this.keys as KeyBlockSink;
      // the block goes to the key store; the numbers say where
      const index = keys.room(count);
      this.num(keys.at);
      return index;
    }
    if (count === 0) return this.n >> 2;
    const from = (this.n + 3) & ~3;
    const end = from + count * 4;
    if (end > this.buf.length) this.grow(end - this.n);
    this.buf.fill(0, this.n, from);
    this.n = end;
    return from >> 2;
  }

  /** Where the last room() gave room: the memory written so far as 32-bit words, or the key store's. */
  get words(): Int32Array {
    return this.stored ? (this.keys as KeyBlockSink).words : this.view;
  }

  private grow(atLeast: number): void {
    let length = this.buf.length * 2;
    while (length < this.n + atLeast) length *= 2;
    const bigger = new Uint8Array(length);
    bigger.set(this.buf.subarray(0, this.n));
    // the outgrown array is left to the collector, not detached: the first ArrayBuffer detached in a
    // thread makes V8 check for detachment on every typed-array access from then on, and the worker
    // reading the batch writes here while it parses (100 customers: 1.09x wall, the parser's byte reads
    // 275 -> 393 ms); a reserve (see the constructor) keeps it from growing at all
    this.buf = bigger;
    this.view = new Int32Array(bigger.buffer);
  }

  /** Bytes written so far (positions and lengths count bytes). */
  get length(): number {
    return this.n;
  }

  /** Writes a placeholder number and returns where it is, for patch() once its value is known. */
  reserve(): number {
    const at = this.n;
    this.fixed(0);
    return at;
  }

  /** Sets the placeholder at `at` to a non-negative 32-bit integer (a length or position). */
  patch(at: number, v: number): void {
    this.putFixed(at, v);
  }

  /** Writes a non-negative 32-bit integer in exactly FIXED_BYTES bytes (a trailer found from the end). */
  fixed(v: number): void {
    if (this.n + FIXED_BYTES > this.buf.length) this.grow(FIXED_BYTES);
    this.putFixed(this.n, v);
    this.n += FIXED_BYTES;
  }

  bytes(b: Uint8Array): number {
    this.regs.push(b);
    return this.regs.length - 1;
  }

  /** A string's number in the table; the same string always gets the same one. */
  readonly str = (s: string): number => {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  };

  finish(): BinaryBundle {
    // a view, not a copy: the pages past n were never written, so they never took memory
    return { data: this.buf.subarray(0, this.n), strings: this.strings, regs: this.regs };
  }
}

export class BinaryReader implements NumberSource {
  private at = 0;
  private readonly bundle: BinaryBundle;
  private readonly data: Uint8Array;
  /** the data as 32-bit words, for key blocks (word()) */
  private readonly view: Int32Array;
  /**
   * the key store, when the writer kept its key blocks apart; whether the block being read came from
   * it, that block, and where in it the next word is
   */
  private readonly keys: KeyBlockSource | null;
  private fromStore = false;
  private block = new Int32Array(0);
  private inBlock = 0;

  constructor(bundle: BinaryBundle) {
    this.bundle = bundle;
    this.data = bundle.data;
    if (this.data.byteOffset % 4 !== 0)
      throw new RangeError('binary windows must start on a 4-byte boundary of their buffer');
    this.view = new Int32Array(this.data.buffer, this.data.byteOffset, this.data.length >> 2);
    this.keys = bundle.keys ?? null;
  }

  num(): number {
    const at = this.at;
    if (at < this.data.length) {
      const b = this.data[at];
      if (b < 0x80) {
        this.at = at + 1;
        return (b >>> 1) ^ -(b & 1);
      }
    }
    return this.longer();
  }

  /** num() of a number longer than a byte (apart from num(), which then inlines) */
  private longer(): number {
    const data = this.data;
    let at = this.at;
    let z = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (at >= data.length) this.pastEnd();
      const b = data[at++];
      z |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.at = at;
        z >>>= 0;
        return (z >>> 1) ^ -(z & 1);
      }
    }
    if (at >= data.length) this.pastEnd();
    const last = data[at++];
    if (last === WIDE_LAST) {
      if (at + 8 > data.length) throw new RangeError(`binary windows end inside a number at ${this.at}`);
      wideBytes.set(data.subarray(at, at + 8));
      this.at = at + 8;
      return wide[0];
    }
    if (last > 0x0f) throw new RangeError(`binary windows hold no number at ${this.at}`);
    this.at = at;
    z = (z | (last << 28)) >>> 0;
    return (z >>> 1) ^ -(z & 1);
  }

  beginKeys(count: number): void {
    this.fromStore = inKeyStore(this.keys, count);
    if (!this.fromStore) return;
    const at = this.num();
    if (this.block.length < count) this.block = new Int32Array(Math.max(count, 2 * this.block.length));
    (this.keys as KeyBlockSource).read(at, count, this.block);
    this.inBlock = 0;
  }

  /** The next word of a key block (NumberSink.room): the first one passes the block's padding. */
  word(): number {
    if (this.fromStore) return this.block[this.inBlock++];
    let at = this.at;
    if ((at & 3) !== 0) at = (at + 3) & ~3;
    if (at + 4 > this.data.length) this.pastEnd();
    this.at = at + 4;
    return this.view[at >> 2];
  }

  private pastEnd(): never {
    throw new RangeError(`binary windows end after ${this.data.length} bytes`);
  }

  bytes(index: number): Uint8Array {
    const r = this.bundle.regs[index];
    if (r === undefined) throw new RangeError(`binary windows refer to missing registers #${index}`);
    return r;
  }

  readonly str = (index: number): string => {
    const s = this.bundle.strings[index];
    if (s === undefined) throw new RangeError(`binary windows refer to missing string #${index}`);
    return s;
  };

  get done(): boolean {
    return this.at === this.data.length;
  }

  /** Where the next num() reads. */
  get position(): number {
    return this.at;
  }

  /** Bytes in all. */
  get length(): number {
    return this.data.length;
  }

  skipWords(count: number): void {
    if (count === 0) return;
    if (inKeyStore(this.keys, count)) this.num();
    else this.seek(((this.at + 3) & ~3) + count * 4);
  }

  /** Goes to a position within the data (a record found earlier, or past one to skip it). */
  seek(at: number): void {
    if (!Number.isInteger(at) || at < 0 || at > this.data.length)
      throw new RangeError(`binary windows have no position ${at} (${this.data.length} bytes)`);
    this.at = at;
  }
}
