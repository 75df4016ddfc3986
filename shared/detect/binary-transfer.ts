import type { NumberSink, NumberSource } from './distinct.ts';

/**
 * Aggregated windows on their way between threads: one Float64Array of numbers, a table of the strings
 * they refer to, and any HLL registers. postMessage moves the arrays' buffers without copying; a
 * structured clone of one object per window (tens of thousands at carrier scale) cost seconds.
 */
export interface BinaryBundle {
  numbers: Float64Array;
  strings: string[];
  regs: Uint8Array[];
}

/** The buffers postMessage should move rather than copy. */
export function bundleBuffers(b: BinaryBundle): ArrayBuffer[] {
  return [b.numbers.buffer as ArrayBuffer, ...b.regs.map((r) => r.buffer as ArrayBuffer)];
}

export class BinaryWriter implements NumberSink {
  private buf = new Float64Array(1 << 14);
  private n = 0;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly regs: Uint8Array[] = [];

  num(v: number): void {
    if (this.n === this.buf.length) this.grow(1);
    this.buf[this.n++] = v;
  }

  room(count: number): number {
    if (this.n + count > this.buf.length) this.grow(count);
    const at = this.n;
    this.n += count;
    return at;
  }

  /** The numbers written so far, and room after them (see room()). */
  get numbers(): Float64Array {
    return this.buf;
  }

  private grow(atLeast: number): void {
    let length = this.buf.length * 2;
    while (length < this.n + atLeast) length *= 2;
    const bigger = new Float64Array(length);
    bigger.set(this.buf.subarray(0, this.n));
    this.buf = bigger;
  }

  /** Numbers written so far. */
  get length(): number {
    return this.n;
  }

  /** Writes a placeholder number and returns where it is, for patch() once its value is known. */
  reserve(): number {
    this.num(0);
    return this.n - 1;
  }

  patch(at: number, v: number): void {
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
    return { numbers: this.buf.subarray(0, this.n), strings: this.strings, regs: this.regs };
  }
}

export class BinaryReader implements NumberSource {
  private at = 0;
  private readonly bundle: BinaryBundle;

  constructor(bundle: BinaryBundle) {
    this.bundle = bundle;
  }

  num(): number {
    if (this.at >= this.bundle.numbers.length)
      throw new RangeError(`binary windows end after ${this.bundle.numbers.length} numbers`);
    return this.bundle.numbers[this.at++];
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
    return this.at === this.bundle.numbers.length;
  }

  /** Where the next num() reads. */
  get position(): number {
    return this.at;
  }

  /** Goes to a position within the numbers (a record found earlier, or past one to skip it). */
  seek(at: number): void {
    if (!Number.isInteger(at) || at < 0 || at > this.bundle.numbers.length)
      throw new RangeError(`binary windows have no position ${at} (${this.bundle.numbers.length} numbers)`);
    this.at = at;
  }
}
