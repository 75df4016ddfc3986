/**
 * Mergeable distinct counter: exact (a set of numeric keys) while small, HyperLogLog (p = 14,
 * 16,384 registers, standard error 1.04/sqrt(m) = 0.81%) beyond `limit`. The registers depend only
 * on the set of keys, so merge(a, b) equals the counter built from a + b in either mode — the
 * property the exactly-once DynamoDB merge depends on. `limit = Infinity` keeps counts exact.
 */
import { fmix32 } from '../cdr/byte-intern.ts';
import { KEY_SPLIT, keyHigh, keyLow, NumberSet } from './number-set.ts';

export const HLL_P = 14;
const M = 1 << HLL_P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** Two independent 32-bit hashes of a key (an integer below 2^53). */
function hash2(key: number): [number, number] {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  const a = fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
  const b = fmix32(hi ^ Math.imul(lo + 0x7f4a7c15, 0x85ebca77) ^ 0x5bd1e995);
  return [a, b];
}

function clz32Rank(a: number, b: number): number {
  // rank over the 50 bits left after the register index: 18 low bits of a, then 32 of b
  const rest = (a << HLL_P) >>> 0;
  if (rest !== 0) return Math.clz32(rest) + 1;
  return 18 + (b === 0 ? 32 : Math.clz32(b)) + 1;
}

/** Where counters, windows and aggregators write themselves for another thread (see binary-transfer.ts). */
export interface NumberSink {
  num(v: number): void;
  /**
   * Room for `count` more words, to be written straight into `words` from the returned index on: a
   * set's keys, two words each (NumberSet.copyKeyParts), read back with NumberSource.word(). Passed
   * one by one to num(), each key above 2^31 was boxed in a new heap object.
   */
  room(count: number): number;
  readonly words: Int32Array;
  /** an HLL register array, moved with the numbers; returns its index */
  bytes(b: Uint8Array): number;
}

export interface NumberSource {
  num(): number;
  /** where the next num() reads, for seek() to come back to */
  readonly position: number;
  seek(at: number): void;
  /**
   * Before the words of a key block written into NumberSink.room(`count`): finds them (a source whose
   * writer kept its keys elsewhere reads the block in now). Every block read with word() starts so.
   */
  beginKeys(count: number): void;
  /** the next word as written into NumberSink.room() */
  word(): number;
  bytes(index: number): Uint8Array;
  /** passes over `count` words written into NumberSink.room() */
  skipWords(count: number): void;
}

const KIND_EXACT = 0;
const KIND_HLL = 1;
const KIND_BITS = 3;
/** writeTo's flag beside the kind: no limit (none written) */
const UNLIMITED = 4;

export interface DistinctJson {
  /** exact keys, ascending */
  e?: number[];
  /** HLL registers, base64 */
  h?: string;
}

/**
 * what a counter holds: its keys, HLL registers, or only the count of its exact keys ("frozen": read
 * without them, see readFrom)
 */
const MODE_EXACT = 0;
const MODE_HLL = 1;
const MODE_FROZEN = 2;

/**
 * The counter is its own exact set (it extends NumberSet) rather than holding one: a window has three
 * counters, each touched per call, and a separate set object behind each was three more cache misses
 * per call once thousands of customers' windows no longer fit in the cache.
 */
export class DistinctCounter extends NumberSet {
  private mode = MODE_EXACT;
  private regs: Uint8Array | null = null;
  /** a frozen counter's count */
  private frozenCount = 0;
  /**
   * where a frozen counter's keys are, when it may read them after all (readFrom 'later'): two fields
   * rather than an object, since a scored hour has three such counters
   */
  private keysSrc: NumberSource | null = null;
  private keysAt = 0;
  readonly limit: number;

  /** `expected`: keys the caller expects, to size the exact set once instead of growing it */
  constructor(limit = Number.POSITIVE_INFINITY, expected = 0) {
    super(Math.min(expected, limit));
    this.limit = limit;
  }

  /** Empties the counter for new keys, exact again and sized for `expected` of them, keeping its objects. */
  override reuse(expected = 0): void {
    super.reuse(Math.min(expected, this.limit));
    this.mode = MODE_EXACT;
    this.regs = null;
    this.frozenCount = 0;
    this.keysSrc = null;
  }

  /**
   * Whether the counter holds only the count of its exact keys (readFrom without keys): it answers
   * count() and clone(), and fails loudly on anything that needs its keys, unless it was read to
   * take its keys later (then the first such use reads them).
   */
  get isFrozen(): boolean {
    return this.mode === MODE_FROZEN;
  }

  /**
   * Before anything that needs the keys: a counter read to take its keys later takes them in now; a
   * frozen one without them throws.
   */
  private live(what: string): void {
    if (this.mode !== MODE_FROZEN) return;
    if (this.keysSrc === null)
      throw new RangeError(`distinct counter is frozen (count only, keys dropped): cannot ${what}`);
    this.readKeys(this.keysSrc, this.keysAt);
  }

  /** Takes in the keys of a counter read with its keys for later, from where they lie (see readFrom). */
  private readKeys(src: NumberSource, at: number): void {
    const size = this.frozenCount;
    const back = src.position;
    this.keysSrc = null;
    this.frozenCount = 0;
    this.mode = MODE_EXACT;
    super.reuse(Math.min(size, this.limit));
    src.seek(at);
    src.beginKeys(2 * size);
    // each key as the two words copyKeyParts wrote (high part first)
    for (let i = 0; i < size; i++) this.insert(src.word(), src.word());
    src.seek(back);
  }

  override addParts(hi: number, lo: number): boolean {
    if (this.mode === MODE_EXACT) {
      const added = this.insert(hi, lo);
      if (this.size > this.limit) this.toHll();
      return added;
    }
    if (this.mode === MODE_FROZEN) {
      // exact again once it has read its keys (or it throws: it has none)
      this.live('add');
      return this.addParts(hi, lo);
    }
    this.addHll(hi * KEY_SPLIT + lo);
    return true;
  }

  private addHll(key: number): void {
    this.live('add');
    const [a, b] = hash2(key);
    const idx = a >>> (32 - HLL_P);
    const r = clz32Rank(a, b);
    const regs = this.regs as Uint8Array;
    if (r > regs[idx]) regs[idx] = r;
  }

  private toHll(): void {
    this.regs = new Uint8Array(M);
    this.mode = MODE_HLL;
    super.forEach((k) => {
      this.addHll(k);
    });
    this.release();
  }

  get isExact(): boolean {
    return this.mode !== MODE_HLL;
  }

  count(): number {
    if (this.mode === MODE_EXACT) return this.size;
    if (this.mode === MODE_FROZEN) return this.frozenCount;
    const regs = this.regs as Uint8Array;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      sum += 2 ** -regs[i];
      if (regs[i] === 0) zeros++;
    }
    let est = (ALPHA * M * M) / sum;
    if (est <= 2.5 * M && zeros > 0) est = M * Math.log(M / zeros); // linear counting for small ranges
    return Math.round(est);
  }

  override has(key: number): boolean {
    this.live('test membership');
    return this.mode === MODE_EXACT ? super.has(key) : false;
  }

  /** The exact keys; fails on a counter that has none (HLL or frozen). */
  override forEach(fn: (key: number) => void): void {
    this.assertExact('list its keys');
    super.forEach(fn);
  }

  override copyKeyParts(into: Int32Array, at: number): void {
    this.assertExact('list its keys');
    super.copyKeyParts(into, at);
  }

  private assertExact(what: string): void {
    this.live(what);
    if (this.mode !== MODE_EXACT)
      throw new RangeError(`distinct counter holds HLL registers: cannot ${what}`);
  }

  /** Adds every key of `other` into this counter. */
  merge(other: DistinctCounter): this {
    this.live('merge');
    other.live('be merged');
    if (other.mode === MODE_EXACT) {
      other.forEach((k) => {
        this.add(k);
      });
      return this;
    }
    if (this.mode === MODE_EXACT) this.toHll();
    const mine = this.regs as Uint8Array;
    const theirs = other.regs as Uint8Array;
    for (let i = 0; i < M; i++) if (theirs[i] > mine[i]) mine[i] = theirs[i];
    return this;
  }

  /** |this \ other|: keys here that `other` has never seen (estimated via |this ∪ other| − |other| in HLL mode). */
  countNotIn(other: DistinctCounter): number {
    this.live('compare');
    other.live('be compared');
    if (this.mode === MODE_EXACT && other.mode === MODE_EXACT) {
      let n = 0;
      this.forEach((k) => {
        if (!other.has(k)) n++;
      });
      return n;
    }
    const union = this.clone().merge(other);
    return Math.max(0, Math.min(this.count(), union.count() - other.count()));
  }

  override clone(): DistinctCounter {
    // a counter that may read its keys later takes them in first: a copy of its count alone could not
    if (this.keysSrc !== null) this.live('be copied');
    const c = new DistinctCounter(this.limit, 0);
    c.mode = this.mode;
    if (this.mode === MODE_FROZEN) c.frozenCount = this.frozenCount;
    else if (this.mode === MODE_EXACT) this.copyInto(c);
    else c.regs = new Uint8Array(this.regs as Uint8Array);
    return c;
  }

  /** Writes the counter as numbers (exact keys, or HLL registers by reference); not a frozen one. */
  writeTo(out: NumberSink): void {
    this.live('be written');
    // one number for kind and flag, then the limit only when there is one: the unlimited limit
    // written as an infinity (a number written whole) came to most of a small set's size, three sets
    // per window
    const unlimited = this.limit === Number.POSITIVE_INFINITY;
    out.num((this.mode === MODE_EXACT ? KIND_EXACT : KIND_HLL) | (unlimited ? UNLIMITED : 0));
    if (!unlimited) out.num(this.limit);
    if (this.mode === MODE_EXACT) {
      out.num(this.size);
      // room first: it may move the writer to a bigger array, which `words` then is
      const at = out.room(this.size * 2);
      super.copyKeyParts(out.words, at);
    } else out.num(out.bytes(this.regs as Uint8Array));
  }

  /**
   * A counter writeTo wrote. `keys` false: a reader that only wants its count (a window's called and
   * pair sets, which scoring only counts) gets an exact set as a frozen count, its keys passed over
   * rather than hashed into a table. 'later': the same, but the counter reads its keys from `src`
   * when something first needs them (a scored window's sets: its calling numbers, which scoring
   * compares with earlier hours only for a finding or a busy hour, or an hour two records hold, whose
   * sets merge); `src` must still hold them then.
   */
  static readFrom(src: NumberSource, keys: boolean | 'later' = true): DistinctCounter {
    const head = src.num();
    const limit = (head & UNLIMITED) !== 0 ? Number.POSITIVE_INFINITY : src.num();
    const kind = head & KIND_BITS;
    if (kind === KIND_EXACT && keys !== true) {
      const c = new DistinctCounter(limit, 0);
      c.mode = MODE_FROZEN;
      c.frozenCount = src.num();
      if (keys === 'later') {
        c.keysSrc = src;
        c.keysAt = src.position;
      }
      src.skipWords(2 * c.frozenCount);
      return c;
    }
    if (kind === KIND_EXACT) {
      const size = src.num();
      const c = new DistinctCounter(limit, size);
      src.beginKeys(2 * size);
      // each key as the two words copyKeyParts wrote (high part first)
      for (let i = 0; i < size; i++) c.addParts(src.word(), src.word());
      return c;
    }
    if (kind !== KIND_HLL) throw new RangeError(`distinct counter kind ${kind} is neither exact nor HLL`);
    const c = new DistinctCounter(limit, 0);
    const regs = src.bytes(src.num());
    if (regs.length !== M) throw new RangeError(`HLL registers must be ${M} bytes, got ${regs.length}`);
    c.mode = MODE_HLL;
    c.regs = regs;
    return c;
  }

  toJSON(): DistinctJson {
    this.live('serialize');
    if (this.mode === MODE_EXACT) return { e: [...this].sort((x, y) => x - y) };
    return { h: Buffer.from(this.regs as Uint8Array).toString('base64') };
  }

  static fromJSON(json: DistinctJson, limit = Number.POSITIVE_INFINITY): DistinctCounter {
    const c = new DistinctCounter(limit);
    if (json.h !== undefined) {
      c.mode = MODE_HLL;
      c.regs = new Uint8Array(Buffer.from(json.h, 'base64'));
      if (c.regs.length !== M) throw new RangeError(`HLL registers must be ${M} bytes, got ${c.regs.length}`);
    } else {
      for (const k of json.e ?? []) c.add(k);
    }
    return c;
  }
}

/** A pair key as its two parts (see KEY_SPLIT), where pairParts writes them. */
export interface PairParts {
  pairHi: number;
  pairLo: number;
}

const pairScratch: PairParts = { pairHi: 0, pairLo: 0 };

/** Key of an ordered (calling, called) pair, 52 bits of two mixed hashes (collisions ~n²/2^53). */
export function pairKey(calling: number, called: number): number {
  const chi = keyHigh(calling);
  const dhi = keyHigh(called);
  pairParts(chi, keyLow(calling, chi), dhi, keyLow(called, dhi), pairScratch);
  return pairScratch.pairHi * KEY_SPLIT + pairScratch.pairLo;
}

/**
 * pairKey of the keys chi * KEY_SPLIT + clo and dhi * KEY_SPLIT + dlo, written split into `into`: it
 * runs once per call, so nothing in it is a double (see KEY_SPLIT) and hash2's tuples are written out.
 */
export function pairParts(chi: number, clo: number, dhi: number, dlo: number, into: PairParts): void {
  // each key's low and high 32 bits, as hash2 takes them
  const lo1 = (chi << 26) | clo;
  const hi1 = chi >>> 6;
  const lo2 = (dhi << 26) | dlo;
  const hi2 = dhi >>> 6;
  const a1 = fmix32(lo1 ^ Math.imul(hi1, 0x9e3779b1));
  const b1 = fmix32(hi1 ^ Math.imul((lo1 >>> 0) + 0x7f4a7c15, 0x85ebca77) ^ 0x5bd1e995);
  const a2 = fmix32(lo2 ^ Math.imul(hi2, 0x9e3779b1));
  const b2 = fmix32(hi2 ^ Math.imul((lo2 >>> 0) + 0x7f4a7c15, 0x85ebca77) ^ 0x5bd1e995);
  const hi = fmix32(a1 ^ Math.imul(b2, 0x27d4eb2f)) >>> 12; // 20 bits
  const lo = fmix32(b1 ^ Math.imul(a2 + 0x165667b1, 0x9e3779b1));
  // the key hi * 2^32 + lo, split at 2^26
  into.pairHi = hi * 64 + (lo >>> 26);
  into.pairLo = lo & (KEY_SPLIT - 1);
}
