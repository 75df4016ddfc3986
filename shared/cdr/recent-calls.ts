import { FNV_OFFSET, FNV_PRIME, fmix32 } from './byte-intern.ts';
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
/** Int32 words per slot: the ids-and-called hash, the start-seconds-outcome-caller hash, line (0 = empty) */
const SLOT = 3;
const FIRST_SLOTS = 1 << 10;
/** calls a generation holds back before placing them in its table together (Generation.remember) */
const PENDING = 32;

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

/**
 * The customer and trunk ids' hashes (idHash) as one: who handed the call over, and where. An id's
 * FNV-1a is finalized (fmix32) before the next id joins it, here and in callIdsWord. FNV-1a ends by
 * multiplying in the id's last byte, so ids whose last bytes change alike (calls 1795795293.653 and
 * .657 of customers C113 and C117) often change their hashes alike, and an exclusive or of the raw
 * hashes then did not change at all (about one such pair in 300): two calls were taken for one.
 * Finalized, a change of one id moves every bit of the word, and a change of another undoes it only
 * by chance (one in 2^32), however alike the two ids are; for a given trunk the word is one-to-one in
 * the customer's hash, and for a given customer in the trunk's, so calls that differ in one id alone
 * never share it.
 */
export function partyHash(customerHash: number, trunkHash: number): number {
  return fmix32(customerHash ^ fmix32(trunkHash)) | 0;
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

/**
 * A call's first word: its call id, customer and trunk, and called number, hashed. The call id's hash
 * joins the finalized party's and is finalized with it (see partyHash): a change of the call id undoes
 * one of the customer or trunk, or one of the called number (which joins last), only by chance.
 */
export function callIdsWord(call: PackedCall): number {
  return (fmix32(call.partyHash ^ call.callIdHash) ^ Math.imul(keyWord(call.calledKey), 0x297a2d39)) | 0;
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

/** bits of a generation's filter per slot of its table: at most 1 in 8 set when the table is half full */
const FILTER_BITS_PER_SLOT = 4;

/** The filter bit of `a, b` (mixed apart from slotOf, so a crowded run of slots is no crowded run of bits). */
function bitOf(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x27d4eb2d), 0x9e3779b1) ^ (b >>> 11);
}

/**
 * One generation: an open-addressing table, at most half full, and a one-hash Bloom filter of what it
 * holds. Most calls are new, and the filter (4 bits a slot: 32 KB beside a 768 KB table) answers them
 * from the processor's cache: a call whose bit is clear is in no slot, so the table, whose every look
 * is a miss of the cache, is only looked at for the few calls whose bit another call set.
 */
class Generation {
  readonly table: Int32Array<ArrayBuffer>;
  readonly mask: number;
  /** the filter; null for a table a reader handed over (RecentEnds), looked at slot by slot */
  private readonly bits: Int32Array | null;
  private readonly bitMask: number;
  /** calls remembered but not yet placed in the table (remember), SLOT words each */
  private readonly pending = new Int32Array(PENDING * SLOT);
  private pendingWords = 0;
  count = 0;

  /** A generation on `table` (a power of two of slots): empty, or one a reader handed over (RecentEnds). */
  constructor(table: Int32Array<ArrayBuffer>, filtered = false) {
    this.table = table;
    this.mask = table.length / SLOT - 1;
    const bits = (this.mask + 1) * FILTER_BITS_PER_SLOT;
    this.bits = filtered ? new Int32Array(bits / 32) : null;
    this.bitMask = bits - 1;
  }

  static ofSlots(slots: number): Generation {
    return new Generation(new Int32Array(slots * SLOT), true);
  }

  /** The line `a, b` was read at, or 0. */
  find(a: number, b: number): number {
    const bits = this.bits;
    if (bits !== null) {
      const bit = bitOf(a, b) & this.bitMask;
      if ((bits[bit >>> 5] & (1 << (bit & 31))) === 0) return 0;
    }
    // the calls not yet in the table: a few words in the cache, looked at in turn
    const p = this.pending;
    for (let at = 0; at < this.pendingWords; at += SLOT) if (p[at] === a && p[at + 1] === b) return p[at + 2];
    const t = this.table;
    let i = slotOf(a, b) & this.mask;
    for (;;) {
      const at = i * SLOT;
      const line = t[at + 2];
      if (line === 0) return 0;
      if (t[at] === a && t[at + 1] === b) return line;
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Remembers `a, b` as read at `line`: in the filter at once, in the table with the next PENDING
   * calls. One call's slot is a miss of the cache the processor waits for before the row goes on; a
   * loop that does nothing but place a few dozen calls has their misses under way together.
   */
  remember(a: number, b: number, line: number): void {
    const p = this.pending;
    let at = this.pendingWords;
    p[at++] = a;
    p[at++] = b;
    p[at++] = line;
    this.pendingWords = at;
    this.count++;
    const bits = this.bits;
    if (bits !== null) {
      const bit = bitOf(a, b) & this.bitMask;
      bits[bit >>> 5] |= 1 << (bit & 31);
    }
    if (at === p.length) this.flush();
  }

  /** Places the pending calls in the table. */
  flush(): void {
    const p = this.pending;
    const n = this.pendingWords;
    this.pendingWords = 0;
    const t = this.table;
    const mask = this.mask;
    for (let k = 0; k < n; k += SLOT) {
      const a = p[k];
      const b = p[k + 1];
      let i = slotOf(a, b) & mask;
      while (t[i * SLOT + 2] !== 0) i = (i + 1) & mask;
      const at = i * SLOT;
      t[at] = a;
      t[at + 1] = b;
      t[at + 2] = p[k + 2];
    }
  }

  /** The table with every call in it (ends, repeatsAcross). */
  whole(): Int32Array<ArrayBuffer> {
    this.flush();
    return this.table;
  }

  insert(a: number, b: number, line: number): void {
    const t = this.table;
    let i = slotOf(a, b) & this.mask;
    while (t[i * SLOT + 2] !== 0) i = (i + 1) & this.mask;
    const at = i * SLOT;
    t[at] = a;
    t[at + 1] = b;
    t[at + 2] = line;
    this.count++;
    const bits = this.bits;
    if (bits !== null) {
      const bit = bitOf(a, b) & this.bitMask;
      bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  /** The same calls in a table of twice the slots. */
  grown(): Generation {
    this.flush();
    const next = Generation.ofSlots((this.mask + 1) * 2);
    const t = this.table;
    for (let at = 0; at < t.length; at += SLOT) if (t[at + 2] !== 0) next.insert(t[at], t[at + 1], t[at + 2]);
    return next;
  }

  clear(): void {
    this.pendingWords = 0;
    this.table.fill(0);
    this.bits?.fill(0);
    this.count = 0;
  }
}

/**
 * What a reader of one byte range of a batch remembers at its ends (RecentCalls.ends): the calls of
 * its first GENERATION_CALLS rows, as word pairs, and its tables at the end. One reader of the whole
 * batch finds a repeat whose first reading lies in the range before; the ranges' readers do not, so a
 * caller checks each range's first calls against the range before's last (repeatsAcross) and reads the
 * batch as a whole when one matches.
 */
export interface RecentEnds {
  /** a, b words of the first calls read (up to GENERATION_CALLS) */
  head: Int32Array<ArrayBuffer>;
  /** the tables of the newer and older generation at the end */
  tails: Int32Array<ArrayBuffer>[];
}

export class RecentCalls {
  private newer = Generation.ofSlots(FIRST_SLOTS);
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
    else if ((gen.count + 1) * 2 > gen.mask + 1) {
      gen = gen.grown();
      this.newer = gen;
    }
    gen.remember(a, b, line);
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

  /** The first calls and the last tables, for repeatsAcross (their buffers may be transferred). */
  ends(): RecentEnds {
    const head = this.head === null ? new Int32Array(0) : this.head.slice(0, this.headCalls * 2);
    const tails = [this.newer.whole()];
    if (this.older !== null) tails.push(this.older.whole());
    return { head, tails };
  }

  /** The newer generation becomes the older; the older one's table, emptied, takes the new calls. */
  private rotate(): Generation {
    const reuse = this.older !== null && this.older.mask === this.newer.mask ? this.older : null;
    this.older = this.newer;
    if (reuse) reuse.clear();
    this.newer = reuse ?? Generation.ofSlots(this.older.mask + 1);
    return this.newer;
  }
}

/** Whether a call among the first ones `next` read is among those `before` read last (see RecentEnds). */
export function repeatsAcross(before: RecentEnds, next: RecentEnds): boolean {
  const tables = before.tails.map((table) => new Generation(table));
  const head = next.head;
  for (let i = 0; i < head.length; i += 2) {
    for (const gen of tables) if (gen.find(head[i], head[i + 1]) !== 0) return true;
  }
  return false;
}
