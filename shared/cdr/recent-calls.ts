import { FNV_OFFSET, FNV_PRIME } from './byte-intern.ts';
import type { PackedCall } from './packed-call.ts';

/**
 * A batch's memory of the calls it has read lately, to count a repeated row once. Switch exports
 * repeat rows: an export job retried after a timeout appends what it had already written, and a
 * rotated file starts again a few minutes before where the last one ended. Such a row is the same
 * call in every respect: the switch's unique call id, the same customer and trunk, the same numbers,
 * started in the same millisecond, with the same billable seconds and outcome (answered or not, SIP
 * code). Counted again, it would add attempts, numbers and talk time that never happened. Rows that
 * differ in any of these are kept: a switch that writes one id for every call (some write `0` or `-`),
 * or the legs of one call forked to two routes, each answering its own way.
 *
 * Memory is bounded, as everything a batch's size could grow: the calls are remembered in two
 * generations of at most GENERATION_CALLS each. When the newer one is full, the older is forgotten,
 * so a repeat is always found within GENERATION_CALLS rows of its first reading, and usually within
 * twice that. Each call is kept as two 32-bit words (a hash of its ids and called number, and one of
 * its start, seconds, outcome and caller ID) and the line it was read at: two different calls share
 * both words only if they collide in two 32-bit hashes at once.
 */

/** calls a generation holds before it becomes the older one */
export const GENERATION_CALLS = 1 << 15;
/** Int32 words per remembered call in a generation's log: the ids-and-called hash, the start-seconds-outcome-caller hash, line */
const CALL_WORDS = 3;
/** index slots a generation starts with (it doubles as it fills, up to twice GENERATION_CALLS) */
const FIRST_SLOTS = 1 << 10;
/**
 * An index slot is 0 (empty) or the call's position in the log plus 1 (1 to GENERATION_CALLS, the low
 * 16 bits) with a 16-bit fingerprint of its words above: a probe compares fingerprints in the index
 * and reads the log only on a match.
 */
const POSITION_BITS = 16;
const POSITION_MASK = (1 << POSITION_BITS) - 1;

/** FNV-1a (byte-intern.ts) of an id's UTF-8 bytes, as the fast lane hashes call and customer ids while scanning. */
export function idHash(id: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80) return utf8Hash(id);
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h;
}

function utf8Hash(id: string): number {
  const bytes = Buffer.from(id, 'utf8');
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h;
}

/** The customer and trunk ids' hashes (idHash) as one: who handed the call over, and where. */
export function partyHash(customerHash: number, trunkHash: number): number {
  return (customerHash ^ Math.imul(trunkHash, 0x2c1b3c6d)) | 0;
}

/** A number key (numberKey, up to 2^53; -1 for none) folded to 32 bits. */
function keyWord(key: number): number {
  return (key >>> 0) ^ Math.imul(Math.floor(key / 0x100000000) + 1, 0x165667b1);
}

/** Start (all of its 41+ bits), billable seconds, whether answered and the SIP code, mixed. */
function whenWord(startMs: number, durationS: number, answered: boolean, sipCode: number): number {
  const low = startMs >>> 0;
  const high = Math.floor(startMs / 0x100000000);
  const outcome = (durationS * 2 + (answered ? 1 : 0)) * 1024 + sipCode;
  return (low ^ Math.imul(high + 1, 0x27d4eb2d) ^ Math.imul(outcome, 0x9e3779b1)) | 0;
}

/** A call's first word: its call id, customer and trunk, and called number, hashed. */
export function callIdsWord(call: PackedCall): number {
  return (call.callIdHash ^ call.partyHash ^ Math.imul(keyWord(call.calledKey), 0x297a2d39)) | 0;
}

/** A call's second word: its start, billable seconds, outcome and caller ID, hashed. */
export function callWhenWord(call: PackedCall): number {
  return (
    (whenWord(call.startMs, call.durationS, call.answered, call.sipCode) ^
      Math.imul(keyWord(call.callingKey), 0x1b873593)) |
    0
  );
}

function slotOf(a: number, b: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0xc2b2ae35);
  return h ^ (h >>> 15);
}

/** bits of a generation's filter per slot of its index: at most 1 in 8 set when the index is half full */
const FILTER_BITS_PER_SLOT = 4;

/** The filter bit of `a, b` (mixed apart from slotOf, so a crowded run of slots is no crowded run of bits). */
function bitOf(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x27d4eb2d), 0x9e3779b1) ^ (b >>> 11);
}

/**
 * One generation: its calls in the order they were remembered (the log, written front to back), an
 * open-addressing index into the log, at most half full, and a one-hash Bloom filter of what it holds.
 * Most calls are new, and the filter (4 bits a slot: 32 KB) answers them from the processor's cache:
 * a call whose bit is clear is in no slot. Each call remembered writes one random slot of the index, 4
 * bytes (256 KB at most); its words go to the end of the log. A table of the words themselves, 12
 * bytes a slot (768 KB), took a random line of memory per row, and the windows' sets it pushed out
 * of the cache cost more than the table's own misses: a whole analyze took about a sixth more CPU
 * with the check than without it.
 */
class Generation {
  /** a, b, line of each call, in the order remembered */
  log: Int32Array<ArrayBuffer>;
  private index: Int32Array;
  private mask: number;
  private bits: Int32Array;
  private bitMask: number;
  count = 0;

  constructor(slots = FIRST_SLOTS) {
    this.log = new Int32Array((slots / 2) * CALL_WORDS);
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
    const bits = slots * FILTER_BITS_PER_SLOT;
    this.bits = new Int32Array(bits / 32);
    this.bitMask = bits - 1;
  }

  /** A generation holding the calls of `log` (words as Generation.log holds them), for repeatsAcross. */
  static ofLog(log: Int32Array): Generation {
    const calls = log.length / CALL_WORDS;
    let slots = FIRST_SLOTS;
    while (slots < calls * 2) slots *= 2;
    const gen = new Generation(slots);
    for (let at = 0; at < log.length; at += CALL_WORDS) gen.insert(log[at], log[at + 1], log[at + 2]);
    return gen;
  }

  /** whether one more call would fill the index past half */
  get full(): boolean {
    return (this.count + 1) * 2 > this.mask + 1;
  }

  /** The line `a, b` was read at, or 0. */
  find(a: number, b: number): number {
    const bit = bitOf(a, b) & this.bitMask;
    if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return 0;
    const h = slotOf(a, b);
    const fingerprint = h >>> POSITION_BITS;
    const index = this.index;
    const log = this.log;
    let i = h & this.mask;
    for (;;) {
      const slot = index[i];
      if (slot === 0) return 0;
      if (slot >>> POSITION_BITS === fingerprint) {
        const at = ((slot & POSITION_MASK) - 1) * CALL_WORDS;
        if (log[at] === a && log[at + 1] === b) return log[at + 2];
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Remembers the call `a, b` read at `line` (the index must have room: see `full`). */
  insert(a: number, b: number, line: number): void {
    const position = this.count++;
    let at = position * CALL_WORDS;
    if (at + CALL_WORDS > this.log.length) {
      const longer = new Int32Array(this.log.length * 2);
      longer.set(this.log);
      this.log = longer;
    }
    const log = this.log;
    log[at++] = a;
    log[at++] = b;
    log[at] = line;
    this.place(slotOf(a, b), position);
    const bit = bitOf(a, b) & this.bitMask;
    this.bits[bit >>> 5] |= 1 << (bit & 31);
  }

  /** Writes the log's call at `position`, whose slot hash is `h`, into the index. */
  private place(h: number, position: number): void {
    const index = this.index;
    let i = h & this.mask;
    while (index[i] !== 0) i = (i + 1) & this.mask;
    index[i] = ((h >>> POSITION_BITS) << POSITION_BITS) | (position + 1);
  }

  /** Doubles the index (and filter) for the calls to come; the log stays as it is. */
  grow(): void {
    const slots = (this.mask + 1) * 2;
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
    const bits = slots * FILTER_BITS_PER_SLOT;
    this.bits = new Int32Array(bits / 32);
    this.bitMask = bits - 1;
    const log = this.log;
    for (let p = 0; p < this.count; p++) {
      const at = p * CALL_WORDS;
      this.place(slotOf(log[at], log[at + 1]), p);
      const bit = bitOf(log[at], log[at + 1]) & this.bitMask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  /** The calls remembered, as words (a view of the log). */
  calls(): Int32Array<ArrayBuffer> {
    return this.log.subarray(0, this.count * CALL_WORDS);
  }

  /** Forgets every call, keeping the arrays for the next ones. */
  clear(): void {
    this.index.fill(0);
    this.bits.fill(0);
    this.count = 0;
  }

  /** index slots, to tell generations of one size apart */
  get slots(): number {
    return this.mask + 1;
  }
}

/**
 * What a reader of one byte range of a batch remembers at its ends (RecentCalls.ends): the calls of
 * its first GENERATION_CALLS rows, as word pairs, and the calls it remembers at the end. One reader of
 * the whole batch finds a repeat whose first reading lies in the range before; the ranges' readers do
 * not, so a caller checks each range's first calls against the range before's last (repeatsAcross)
 * and reads the batch as a whole when one matches.
 */
export interface RecentEnds {
  /** a, b words of the first calls read (up to GENERATION_CALLS) */
  head: Int32Array<ArrayBuffer>;
  /** the calls of the newer and older generation at the end: a, b, line each */
  tails: Int32Array<ArrayBuffer>[];
}

export class RecentCalls {
  private newer = new Generation();
  private older: Generation | null = null;
  /** the first calls' words, kept when a range reader asks (ends) */
  private head: Int32Array<ArrayBuffer> | null;
  private headCalls = 0;

  constructor(opts: { keepHead?: boolean } = {}) {
    this.head = opts.keepHead ? new Int32Array(2 * FIRST_SLOTS) : null;
  }

  /**
   * The line this call (its ids, numbers, start, seconds and outcome, as PackedCall carries them) was
   * first read at when it was read lately (a repeat: count it once), else 0, after remembering it as
   * read at its line (1-based, so never 0).
   */
  repeatOf(call: PackedCall): number {
    const a = callIdsWord(call);
    const b = callWhenWord(call);
    const line = call.line;
    const first = this.newer.find(a, b) || (this.older?.find(a, b) ?? 0);
    if (first !== 0) return first;
    let gen = this.newer;
    if (gen.count >= GENERATION_CALLS) gen = this.rotate();
    else if (gen.full) gen.grow();
    gen.insert(a, b, line);
    if (this.head !== null && this.headCalls < GENERATION_CALLS) this.keepInHead(a, b);
    return 0;
  }

  private keepInHead(a: number, b: number): void {
    let head = this.head as Int32Array<ArrayBuffer>;
    const at = this.headCalls * 2;
    if (at + 2 > head.length) {
      const grown = new Int32Array(Math.min(head.length * 2, 2 * GENERATION_CALLS));
      grown.set(head);
      head = grown;
      this.head = grown;
    }
    head[at] = a;
    head[at + 1] = b;
    this.headCalls++;
  }

  /** The first calls and the calls remembered at the end, for repeatsAcross (their buffers may be transferred). */
  ends(): RecentEnds {
    const head = this.head === null ? new Int32Array(0) : this.head.slice(0, this.headCalls * 2);
    const tails = [this.newer.calls()];
    if (this.older !== null) tails.push(this.older.calls());
    return { head, tails };
  }

  /** The newer generation becomes the older; the older one, emptied, takes the new calls. */
  private rotate(): Generation {
    const reuse = this.older !== null && this.older.slots === this.newer.slots ? this.older : null;
    this.older = this.newer;
    if (reuse) reuse.clear();
    this.newer = reuse ?? new Generation(this.older.slots);
    return this.newer;
  }
}

/** Whether a call among the first ones `next` read is among those `before` read last (see RecentEnds). */
export function repeatsAcross(before: RecentEnds, next: RecentEnds): boolean {
  const tables = before.tails.map((log) => Generation.ofLog(log));
  const head = next.head;
  for (let i = 0; i < head.length; i += 2) {
    for (const gen of tables) if (gen.find(head[i], head[i + 1]) !== 0) return true;
  }
  return false;
}
