import type { NumberSink, NumberSource } from './distinct.ts';

/**
 * Aggregated windows on their way between threads: one Int32Array of words, a table of the strings
 * they refer to, and any HLL registers. postMessage moves the arrays' buffers without copying; a
 * structured clone of one object per window (tens of thousands at carrier scale) cost seconds.
 *
 * Almost every number a window holds is a small integer (counters, hour indexes, string numbers,
 * the split parts of a key), so each takes one 32-bit word. Any other number (a millisecond time,
 * a sum past 2^31, an infinity) is written whole: the word WIDE, then its 64 bits in two words. Half
 * the bytes of writing every number as a float64: at 20,000 customers a worker's transfer fell from
 * 67 to 33 MB, held by the worker while it reads and by the main thread while it scores.
 */
export interface BinaryBundle {
  words: Int32Array;
  strings: string[];
  regs: Uint8Array[];
}

/** The buffers postMessage should move rather than copy. */
export function bundleBuffers(b: BinaryBundle): ArrayBuffer[] {
  return [b.words.buffer as ArrayBuffer, ...b.regs.map((r) => r.buffer as ArrayBuffer)];
}

/** Frees a bundle's arrays at once (detached, so reading it afterwards fails rather than finds nothing). */
export function freeBundle(b: BinaryBundle): void {
  for (const buffer of bundleBuffers(b)) buffer.transfer(0);
}

/** The word that says a whole 64-bit number follows (itself a number written whole). */
const WIDE = -0x80000000;
/** a number's 64 bits as two words */
const wide = new Float64Array(1);
const wideWords = new Int32Array(wide.buffer);

/** Whether `v` goes in one word: a 32-bit integer other than WIDE, and not -0 (which 0 would lose). */
function fitsWord(v: number): boolean {
  return (v | 0) === v && v !== WIDE && (v !== 0 || 1 / v > 0);
}

export class BinaryWriter implements NumberSink {
  private buf: Int32Array;
  private n = 0;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly regs: Uint8Array[] = [];

  /**
   * `reserveWords`: room to take at once. Pages of it never written take no memory, so a writer that
   * may write much reserves generously rather than grow: every array it outgrows waits, already in the
   * old generation, for a full collection.
   */
  constructor(reserveWords = 0) {
    this.buf = new Int32Array(Math.max(1 << 14, Math.ceil(reserveWords)));
  }

  num(v: number): void {
    if (this.n + 3 > this.buf.length) this.grow(3);
    if (fitsWord(v)) this.buf[this.n++] = v;
    else this.wide(v);
  }

  /** num() of a number that takes three words (kept apart so that num() stays small enough to inline) */
  private wide(v: number): void {
    wide[0] = v;
    this.buf[this.n] = WIDE;
    this.buf[this.n + 1] = wideWords[0];
    this.buf[this.n + 2] = wideWords[1];
    this.n += 3;
  }

  room(count: number): number {
    if (this.n + count > this.buf.length) this.grow(count);
    const at = this.n;
    this.n += count;
    return at;
  }

  /** The words written so far, and room after them (see room()). */
  get words(): Int32Array {
    return this.buf;
  }

  private grow(atLeast: number): void {
    let length = this.buf.length * 2;
    while (length < this.n + atLeast) length *= 2;
    const bigger = new Int32Array(length);
    bigger.set(this.buf.subarray(0, this.n));
    // the outgrown array is left to the collector, not detached: the first ArrayBuffer detached in a
    // thread makes V8 check for detachment on every typed-array access from then on, and the worker
    // reading the batch writes here while it parses (100 customers: 1.09x wall, the parser's byte reads
    // 275 -> 393 ms); a reserve (see the constructor) keeps it from growing at all
    this.buf = bigger;
  }

  /** Words written so far (positions and lengths count words). */
  get length(): number {
    return this.n;
  }

  /** Writes a placeholder number and returns where it is, for patch() once its value is known. */
  reserve(): number {
    this.num(0);
    return this.n - 1;
  }

  /** Sets the placeholder at `at` to a 32-bit integer (a length or position). */
  patch(at: number, v: number): void {
    if (!fitsWord(v)) throw new RangeError(`binary windows: ${v} does not fit the word at ${at}`);
    this.buf[at] = v;
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
    return { words: this.buf.subarray(0, this.n), strings: this.strings, regs: this.regs };
  }
}

export class BinaryReader implements NumberSource {
  private at = 0;
  private readonly bundle: BinaryBundle;

  constructor(bundle: BinaryBundle) {
    this.bundle = bundle;
  }

  num(): number {
    const v = this.word();
    return v === WIDE ? this.wide() : v;
  }

  /** The 64 bits after a WIDE word, as the number they are (apart from num(), which then inlines). */
  private wide(): number {
    const words = this.bundle.words;
    if (this.at + 2 > words.length)
      throw new RangeError(`binary windows end inside a number at ${this.at - 1}`);
    wideWords[0] = words[this.at];
    wideWords[1] = words[this.at + 1];
    this.at += 2;
    return wide[0];
  }

  /** The next word as it is: one of the two parts of a key (NumberSink.room). */
  word(): number {
    const words = this.bundle.words;
    if (this.at >= words.length) this.pastEnd();
    return words[this.at++];
  }

  private pastEnd(): never {
    throw new RangeError(`binary windows end after ${this.bundle.words.length} words`);
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
    return this.at === this.bundle.words.length;
  }

  /** Where the next num() reads. */
  get position(): number {
    return this.at;
  }

  skipWords(count: number): void {
    this.seek(this.at + count);
  }

  /** Goes to a position within the words (a record found earlier, or past one to skip it). */
  seek(at: number): void {
    if (!Number.isInteger(at) || at < 0 || at > this.bundle.words.length)
      throw new RangeError(`binary windows have no position ${at} (${this.bundle.words.length} words)`);
    this.at = at;
  }
}
