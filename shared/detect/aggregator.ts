import { isInvalidCallingClass } from '../cdr/nanp.ts';
import { PackedCall } from '../cdr/packed-call.ts';
import { destinationOf } from '../cdr/phone.ts';
import type { CallRecord } from '../cdr/record.ts';
import { HOUR_MS, ZoneClock } from '../cdr/time.ts';
import { type BinaryBundle, BinaryReader, BinaryWriter, bundleBuffers } from './binary-transfer.ts';
import { numberKey, pairKey } from './distinct.ts';
import { ZONE_NAMES, zoneIndexOfNpa, zoneIndexOfNumber } from './npa-zones.ts';
import { NumberSet } from './number-set.ts';
import { type InventoryKeys, keyHasPrefix, type NumberInventory, type ReferenceData } from './reference.ts';
import {
  cloneWindow,
  DURATION_BUCKETS_S,
  emptyWindow,
  mergeInto,
  readWindow,
  type WindowAggregate,
  writeWindow,
} from './window.ts';

export const SHORT_CALL_S = 6;
const CALLING_HOURS_START = 8;
const CALLING_HOURS_END = 21;
/** E.164 text numberKey maps one-to-one (no leading zero), the only DNO entries a key can equal */
const PLAIN_E164 = /^\+[1-9]\d{0,14}$/;

export interface AggregatorOptions {
  /** distinct counters stay exact up to this many keys, then switch to HyperLogLog */
  exactLimit?: number;
  /**
   * per (customer, trunk, hour): true keeps whole windows (the ingest path stores them), 'calls' only
   * the PSTN calls of each (all findings show of trunks), false nothing
   */
  trunkWindows?: boolean | 'calls';
  /**
   * Bounded memory for time-ordered input (one big batch): once a call arrives `behindHours` or more
   * hours after a window's hour, the window's called-number and pair sets are frozen to their counts
   * (the calling set stays: later hours compare with it). A call that still arrives for a frozen
   * window is not folded; its window is listed by `recountNeeded()` and must be rebuilt exactly from
   * the input (`replaceWindows`). With `keepFirstHour`, hours up to that of the first call are never
   * frozen: a reader that starts mid-batch shares them with the reader before it.
   */
  freeze?: { behindHours: number; keepFirstHour?: boolean };
  /** fold only calls of these windows (a recount pass); every other call is ignored */
  only?: (customerId: string, hourMs: number) => boolean;
}

/** A window that must be rebuilt from the input: a call arrived after it was frozen. */
export interface WindowRef {
  customerId: string;
  hourIdx: number;
}

/**
 * One customer-hour. While every call of the hour came through one trunk (the usual case), that
 * trunk's window is the customer window under another name, so it is not folded twice: the trunk map
 * holds null for it. The first call through another trunk (or none) splits the hour: the sole trunk's
 * window becomes a copy of the customer window so far, and from then on trunk windows fold on their own.
 */
interface HourSlot {
  w: WindowAggregate;
  soleTrunk: string | null;
  split: boolean;
  /** called and pair sets of this hour (customer and trunk windows) hold counts only */
  frozen: boolean;
  /** trunk calls only ('calls'), once the hour split: PSTN calls per trunk, in first-seen order */
  trunkCalls: Map<string, number> | null;
}

/** An hour slot still holding its sets, with what freezing it needs. */
interface OpenSlot {
  state: CustomerWindows;
  hourIdx: number;
  slot: HourSlot;
}

interface CustomerWindows {
  customerId: string;
  hours: Map<number, HourSlot>;
  /** trunk -> hour index -> window, or null while it equals the customer window of that hour */
  trunks: Map<string, Map<number, WindowAggregate | null>>;
  /** trunk calls only ('calls'): the customer's trunks in first-seen order, as `trunks` keeps them */
  trunkOrder: Map<string, number>;
  lastHourIdx: number;
  lastSlot: HourSlot | null;
  /** the customer's inventory as keys, valid while the inventory's revision is inventoryRevision */
  inventory: InventoryKeys | null;
  inventoryOf: NumberInventory | null;
  inventoryRevision: number;
}

/** What a call contributes beyond its own fields: the reference and numbering checks, done once per call. */
interface CallFacts {
  callingEqualsCalled: boolean;
  neighborNpaNxx: boolean;
  dno: boolean;
  /** 0 not checked against an inventory, 1 inside it, 2 outside it (any attestation) */
  inventory: number;
  /** DEST_PSTN, DEST_ON_NET or DEST_EMERGENCY */
  destination: number;
  /** index in ZONE_NAMES of the called party's zone, -1 unknown */
  zone: number;
  pair: number;
}

/** An aggregator's windows as numbers, to move a worker thread's result to the main thread. */
export type AggregatorTransfer = BinaryBundle;

const TRUNKS_NONE = 0;
const TRUNKS_WINDOWS = 1;
const TRUNKS_CALLS = 2;

/** One customer's windows as read back from a transfer, before they join this aggregator's. */
interface ImportedCustomer {
  customerId: string;
  trunkOrder: string[];
  hours: Array<{ hourIdx: number; slot: HourSlot }>;
  trunks: Array<{ trunkId: string; hours: Array<{ hourIdx: number; window: WindowAggregate | null }> }>;
}

const DEST_PSTN = 0;
const DEST_ON_NET = 1;
const DEST_EMERGENCY = 2;
const DESTINATION_CODE = { pstn: DEST_PSTN, on_net: DEST_ON_NET, emergency: DEST_EMERGENCY } as const;

function bucketOf(durationS: number): number {
  for (let i = 0; i < DURATION_BUCKETS_S.length; i++) if (durationS < DURATION_BUCKETS_S[i]) return i;
  return DURATION_BUCKETS_S.length;
}

/**
 * Folds call records into per (customer, hour) and per (customer, trunk, hour) windows.
 * The per-call work is all counters and hashed keys; no Date objects on the hot path. Calls arrive
 * either as CallRecords (`add`) or as PackedCalls from the canonical fast path (`addPacked`); both
 * reduce to the same facts and go through the same fold.
 */
export class Aggregator {
  private readonly ref: ReferenceData;
  private readonly limit: number;
  private readonly trunkMode: number;
  private readonly freezeBehind: number;
  private readonly keepFirstHour: boolean;
  private readonly only: ((customerId: string, hourMs: number) => boolean) | null;
  /** highest hour index seen, and hours up to keepThrough are never frozen */
  private maxHourIdx = Number.NEGATIVE_INFINITY;
  private keepThrough = Number.NEGATIVE_INFINITY;
  private open: OpenSlot[] = [];
  private readonly recount = new Map<string, WindowRef>();
  private readonly customers = new Map<string, CustomerWindows>();
  /** created on first use: building an Intl formatter costs milliseconds */
  private readonly clocks: Array<ZoneClock | undefined> = [];
  /** per zone: the UTC hour of the last offset looked up, and what zoneHour derived from it */
  private readonly zoneBucket = new Float64Array(ZONE_NAMES.length).fill(Number.NaN);
  private readonly zoneSwitchMs = new Float64Array(ZONE_NAMES.length);
  private readonly zoneOutsideA = new Uint8Array(ZONE_NAMES.length);
  private readonly zoneOutsideB = new Uint8Array(ZONE_NAMES.length);
  private lastCustomer = '';
  private lastState: CustomerWindows | null = null;
  /** states by PackedCall.customerSlot (see stateOfPacked); emptied whenever states leave `customers` */
  private bySlot: Array<CustomerWindows | undefined> = [];
  private dnoKeys: NumberSet | null = null;
  private dnoSource: Set<string> | null = null;
  private dnoSize = -1;
  /** add() turns a CallRecord into this and its facts, then folds it like a fast-path call */
  private readonly scratch = new PackedCall();
  private readonly facts: CallFacts = {
    callingEqualsCalled: false,
    neighborNpaNxx: false,
    dno: false,
    inventory: 0,
    destination: DEST_PSTN,
    zone: -1,
    pair: 0,
  };

  constructor(ref: ReferenceData, opts: AggregatorOptions = {}) {
    this.ref = ref;
    this.limit = opts.exactLimit ?? Number.POSITIVE_INFINITY;
    const trunks = opts.trunkWindows ?? true;
    this.trunkMode = trunks === 'calls' ? TRUNKS_CALLS : trunks ? TRUNKS_WINDOWS : TRUNKS_NONE;
    this.freezeBehind = opts.freeze ? Math.max(1, opts.freeze.behindHours) : Number.POSITIVE_INFINITY;
    this.keepFirstHour = opts.freeze?.keepFirstHour ?? false;
    this.only = opts.only ?? null;
  }

  add(r: CallRecord): void {
    const p = this.scratch;
    p.line = r.line;
    p.startMs = r.startMs;
    p.hourIdx = Math.floor(r.startMs / HOUR_MS);
    p.durationS = r.durationS;
    p.answered = r.answered;
    p.sipCode = r.sipCode ?? 0;
    p.customerId = r.customerId;
    p.trunkId = r.trunkId;
    const blank = r.callingClass === 'blank';
    p.callingKey = blank ? -1 : numberKey(r.calling);
    p.callingClass = r.callingClass;
    p.calledKey = numberKey(r.called);
    p.calledClass = r.calledClass;
    p.attestation = r.attestation;
    p.verstat = r.verstat;
    const f = this.facts;
    f.callingEqualsCalled = r.calling === r.called;
    f.neighborNpaNxx =
      r.calling.length === 12 &&
      r.called.length === 12 &&
      r.calling.startsWith('+1') &&
      r.called.startsWith('+1') &&
      r.calling.slice(0, 8) === r.called.slice(0, 8);
    f.dno = this.ref.dno.has(r.calling);
    f.inventory =
      !blank && this.ref.inventory.hasCustomer(r.customerId)
        ? this.ref.inventory.owns(r.customerId, r.calling)
          ? 1
          : 2
        : 0;
    f.destination = DESTINATION_CODE[destinationOf(r.called)];
    f.zone = zoneIndexOfNumber(r.called);
    f.pair = blank ? 0 : pairKey(p.callingKey, p.calledKey);
    this.place(this.stateOf(r.customerId), p);
  }

  /**
   * Folds a call from the canonical fast path. Its numbers are keys of plain E.164 text, so the
   * string checks of `add` become integer checks with the same answers.
   */
  addPacked(p: PackedCall): void {
    const state = this.stateOfPacked(p);
    const blank = p.callingClass === 'blank';
    const ck = p.callingKey;
    const dk = p.calledKey;
    const f = this.facts;
    f.callingEqualsCalled = !blank && ck === dk;
    // both +1 numbers with the same first 8 characters (+1NPANXX), as the reader cut them out
    const npaNxx = p.callingNpaNxx;
    f.neighborNpaNxx = !blank && npaNxx >= 0 && npaNxx === p.calledNpaNxx;
    f.dno = !blank && this.dnoKeySet().has(ck);
    let inventory = 0;
    if (!blank) {
      const inv = this.ref.inventory;
      if (state.inventoryOf !== inv || state.inventoryRevision !== inv.revision) {
        state.inventory = inv.keysOf(p.customerId);
        state.inventoryOf = inv;
        state.inventoryRevision = inv.revision;
      }
      const keys = state.inventory;
      if (keys !== null) inventory = keys.exact.has(ck) || keyHasPrefix(ck, keys.prefixes) ? 1 : 2;
    }
    f.inventory = inventory;
    // the fast path keys only numbers it normalized to E.164: every call it hands over is PSTN-bound
    f.destination = DEST_PSTN;
    f.zone = p.calledNpaNxx >= 0 ? zoneIndexOfNpa((p.calledNpaNxx / 1000) | 0) : -1;
    f.pair = blank ? 0 : pairKey(ck, dk);
    this.place(state, p);
  }

  private dnoKeySet(): NumberSet {
    const dno = this.ref.dno;
    if (this.dnoKeys === null || this.dnoSource !== dno || this.dnoSize !== dno.size) {
      const keys = new NumberSet(dno.size);
      for (const n of dno) if (PLAIN_E164.test(n)) keys.add(numberKey(n));
      this.dnoKeys = keys;
      this.dnoSource = dno;
      this.dnoSize = dno.size;
    }
    return this.dnoKeys;
  }

  /**
   * stateOf by the reader's customer slot: an array lookup instead of a Map lookup per call (customers
   * interleave row by row), checked against the id itself so slots of another reader cannot mislead it.
   */
  private stateOfPacked(p: PackedCall): CustomerWindows {
    const slot = p.customerSlot;
    if (slot < 0) return this.stateOf(p.customerId);
    const cached = this.bySlot[slot];
    if (cached !== undefined && cached.customerId === p.customerId) return cached;
    const state = this.stateOf(p.customerId);
    this.bySlot[slot] = state;
    return state;
  }

  private stateOf(customerId: string): CustomerWindows {
    let state = this.lastState;
    if (customerId !== this.lastCustomer || state === null) {
      state = this.customers.get(customerId) ?? null;
      if (!state) {
        state = {
          customerId,
          hours: new Map(),
          trunks: new Map(),
          trunkOrder: new Map(),
          lastHourIdx: Number.NaN,
          lastSlot: null,
          inventory: null,
          inventoryOf: null,
          inventoryRevision: -1,
        };
        this.customers.set(customerId, state);
      }
      this.lastCustomer = customerId;
      this.lastState = state;
    }
    return state;
  }

  private place(state: CustomerWindows, p: PackedCall): void {
    // small-integer hour index: Map lookups on SMIs are far cheaper than on boxed millisecond values
    const hourIdx = p.hourIdx;
    const hour = hourIdx * HOUR_MS;
    if (this.only !== null && !this.only(p.customerId, hour)) return;
    let slot = state.lastSlot;
    if (slot === null || state.lastHourIdx !== hourIdx) {
      if (hourIdx > this.maxHourIdx) this.advanceTo(hourIdx);
      slot = state.hours.get(hourIdx) ?? null;
      if (!slot) {
        // size the sets for as many calls as the customer's last window had: no rehashing as they fill
        const expected = state.lastSlot === null ? 8 : Math.min(state.lastSlot.w.attempts, 1 << 16);
        slot = {
          w: emptyWindow(p.customerId, '', hour, this.limit, expected),
          soleTrunk: null,
          split: false,
          frozen: false,
          trunkCalls: null,
        };
        state.hours.set(hourIdx, slot);
        if (this.freezeBehind !== Number.POSITIVE_INFINITY) this.open.push({ state, hourIdx, slot });
      }
      state.lastHourIdx = hourIdx;
      state.lastSlot = slot;
    }
    if (slot.frozen) {
      // late call for a window whose sets are gone: the whole window is rebuilt from the input
      const key = `${p.customerId}\u0000${hourIdx}`;
      if (!this.recount.has(key)) this.recount.set(key, { customerId: p.customerId, hourIdx });
      return;
    }
    if (this.trunkMode === TRUNKS_WINDOWS) this.placeTrunk(state, slot, p, hour, hourIdx);
    else if (this.trunkMode === TRUNKS_CALLS) this.countTrunkCall(state, slot, p.trunkId);
    this.fold(slot.w, p);
  }

  /** A call of a new latest hour: freezes the windows that hour has left far enough behind. */
  private advanceTo(hourIdx: number): void {
    if (this.maxHourIdx === Number.NEGATIVE_INFINITY && this.keepFirstHour) this.keepThrough = hourIdx;
    this.maxHourIdx = hourIdx;
    if (this.freezeBehind === Number.POSITIVE_INFINITY) return;
    const through = hourIdx - this.freezeBehind;
    const still: OpenSlot[] = [];
    for (const o of this.open) {
      if (o.hourIdx > through || o.hourIdx <= this.keepThrough) still.push(o);
      else this.freezeSlot(o);
    }
    this.open = still;
  }

  private freezeSlot({ state, hourIdx, slot }: OpenSlot): void {
    slot.frozen = true;
    slot.w.called.freeze();
    slot.w.pairs.freeze();
    if (!slot.split) return;
    for (const byHour of state.trunks.values()) {
      const tw = byHour.get(hourIdx);
      if (tw) {
        tw.called.freeze();
        tw.pairs.freeze();
      }
    }
  }

  /** Windows a late call reached after they were frozen: rebuild them with `replaceWindows`. */
  recountNeeded(): WindowRef[] {
    return [...this.recount.values()];
  }

  /**
   * Replaces the listed windows (customer and trunk level) with those `from` built, typically a
   * recount over the same input with `only` set to these windows. Clears them from recountNeeded().
   */
  replaceWindows(from: Aggregator, refs: WindowRef[]): void {
    for (const { customerId, hourIdx } of refs) {
      this.recount.delete(`${customerId}\u0000${hourIdx}`);
      const mine = this.customers.get(customerId);
      if (!mine) continue;
      const theirs = from.customers.get(customerId);
      const slot = theirs?.hours.get(hourIdx);
      for (const byHour of mine.trunks.values()) byHour.delete(hourIdx);
      if (!theirs || !slot) {
        mine.hours.delete(hourIdx);
        continue;
      }
      mine.hours.set(hourIdx, slot);
      for (const trunk of trunksOfSlot(slot)) registerTrunk(mine, trunk);
      for (const [trunk, byHour] of theirs.trunks) {
        if (byHour.has(hourIdx)) this.trunkHours(mine, trunk).set(hourIdx, byHour.get(hourIdx) ?? null);
      }
    }
    this.lastState = null;
    this.lastCustomer = '';
    for (const s of this.customers.values()) {
      s.lastSlot = null;
      s.lastHourIdx = Number.NaN;
    }
  }

  /** Trunk side of a call, before the customer window folds it (a split copies the window as it was). */
  private placeTrunk(
    state: CustomerWindows,
    slot: HourSlot,
    p: PackedCall,
    hour: number,
    hourIdx: number,
  ): void {
    const trunk = p.trunkId;
    if (!slot.split) {
      if (trunk !== '' && slot.soleTrunk === null) {
        slot.soleTrunk = trunk;
        this.trunkHours(state, trunk).set(hourIdx, null);
        return;
      }
      if (trunk !== '' && slot.soleTrunk === trunk) return;
      slot.split = true;
      if (slot.soleTrunk !== null) {
        const copy = cloneWindow(slot.w);
        copy.trunkId = slot.soleTrunk;
        this.trunkHours(state, slot.soleTrunk).set(hourIdx, copy);
      }
    }
    if (trunk === '') return;
    const byHour = this.trunkHours(state, trunk);
    let tw = byHour.get(hourIdx);
    if (!tw) {
      tw = emptyWindow(p.customerId, trunk, hour, this.limit);
      byHour.set(hourIdx, tw);
    }
    this.fold(tw, p);
  }

  /**
   * Trunk side of a call when only calls per trunk are kept: while the hour has one trunk, its calls
   * are the customer window's; a split starts a per-trunk count. Runs before the fold, like placeTrunk.
   */
  private countTrunkCall(state: CustomerWindows, slot: HourSlot, trunk: string): void {
    if (!slot.split) {
      if (trunk !== '' && slot.soleTrunk === null) {
        slot.soleTrunk = trunk;
        registerTrunk(state, trunk);
        return;
      }
      if (trunk !== '' && slot.soleTrunk === trunk) return;
      slot.split = true;
      slot.trunkCalls = new Map();
      if (slot.soleTrunk !== null) slot.trunkCalls.set(slot.soleTrunk, slot.w.attempts);
    }
    if (trunk === '') return;
    registerTrunk(state, trunk);
    const calls = slot.trunkCalls as Map<string, number>;
    calls.set(trunk, (calls.get(trunk) ?? 0) + (this.facts.destination === DEST_PSTN ? 1 : 0));
  }

  private trunkHours(state: CustomerWindows, trunk: string): Map<number, WindowAggregate | null> {
    let byHour = state.trunks.get(trunk);
    if (!byHour) {
      byHour = new Map();
      state.trunks.set(trunk, byHour);
    }
    return byHour;
  }

  private fold(w: WindowAggregate, p: PackedCall): void {
    const f = this.facts;
    const ms = p.startMs;
    if (ms < w.firstMs) w.firstMs = ms;
    if (ms > w.lastMs) w.lastMs = ms;
    if (f.destination !== DEST_PSTN) {
      // on-net and emergency calls are counted, and nothing else: robocall rules judge PSTN calls
      if (f.destination === DEST_ON_NET) w.onNet++;
      else w.emergency++;
      return;
    }
    w.attempts++;
    if (p.answered) {
      w.answered++;
      w.durationSum += p.durationS;
      if (p.durationS < SHORT_CALL_S) w.shortAnswered++;
      w.durationHist[bucketOf(p.durationS)]++;
    }
    switch (p.sipCode) {
      case 403:
        w.rej403++;
        break;
      case 603:
        w.rej603++;
        break;
      case 607:
        w.rej607++;
        break;
      case 608:
        w.rej608++;
        break;
    }
    const cls = p.callingClass;
    if (cls === 'blank') w.callingBlank++;
    else {
      w.calling.add(p.callingKey);
      w.pairs.add(f.pair);
      if (f.callingEqualsCalled) w.callingEqualsCalled++;
      else if (f.neighborNpaNxx) w.neighborNpaNxx++;
      if (isInvalidCallingClass(cls)) {
        if (cls === 'fictitious') w.callingFictitious++;
        else w.callingInvalid++;
      } else if (cls === 'toll_free') w.callingTollFree++;
      if (f.dno) w.callingDno++;
      if (f.inventory !== 0) {
        w.callingChecked++;
        if (f.inventory === 2) w.callingOutsideInventory++;
      }
    }
    w.called.add(p.calledKey);
    switch (p.attestation) {
      case 'A':
        w.attA++;
        // the inventory check covers every call with a caller ID; A-attested ones are also kept apart
        if (f.inventory !== 0) {
          w.aChecked++;
          if (f.inventory === 2) w.aOutsideInventory++;
        }
        break;
      case 'B':
        w.attB++;
        break;
      case 'C':
        w.attC++;
        break;
      case '?':
        w.attUnreported++;
        break;
      default:
        w.attNone++;
    }
    if (p.verstat === 'TN-Validation-Passed') w.verPassed++;
    else if (p.verstat === 'TN-Validation-Failed') w.verFailed++;
    else if (p.verstat === 'No-TN-Validation') w.verNone++;
    const zone = f.zone;
    if (zone >= 0) {
      if (this.zoneBucket[zone] !== p.hourIdx) this.zoneHour(zone, p.hourIdx, ms);
      w.hoursKnown++;
      if ((ms < this.zoneSwitchMs[zone] ? this.zoneOutsideA[zone] : this.zoneOutsideB[zone]) === 1)
        w.outsideHours++;
    }
  }

  /**
   * Caches, for one zone and one UTC hour, whether calls in it fall outside calling hours at the called
   * party: the zone's offset is one per UTC hour (ZoneClock.offsetAt looks it up per hour), so local
   * time within the hour is ms + offset, whose local hour changes at most once, at zoneSwitchMs
   * (never, for the whole-hour offsets of most zones). Calls then need one comparison, no division.
   */
  private zoneHour(zone: number, hourIdx: number, ms: number): void {
    let clock = this.clocks[zone];
    if (!clock) {
      clock = new ZoneClock(ZONE_NAMES[zone]);
      this.clocks[zone] = clock;
    }
    const offset = clock.offsetAt(ms);
    const localHour = Math.floor((hourIdx * HOUR_MS + offset) / HOUR_MS);
    // hour of the local day: a day is 24 whole hours, so the local hour count modulo 24 is the same
    // as the hour of the time of day
    const h = ((localHour % 24) + 24) % 24;
    const next = (h + 1) % 24;
    this.zoneBucket[zone] = hourIdx;
    this.zoneSwitchMs[zone] = (localHour + 1) * HOUR_MS - offset;
    this.zoneOutsideA[zone] = h < CALLING_HOURS_START || h >= CALLING_HOURS_END ? 1 : 0;
    this.zoneOutsideB[zone] = next < CALLING_HOURS_START || next >= CALLING_HOURS_END ? 1 : 0;
  }

  /** The trunk window of an hour that never split: the customer window under the trunk's name. */
  private trunkWindow(
    state: CustomerWindows,
    trunk: string,
    hourIdx: number,
    w: WindowAggregate | null,
  ): WindowAggregate {
    if (w) return w;
    const copy = cloneWindow((state.hours.get(hourIdx) as HourSlot).w);
    copy.trunkId = trunk;
    return copy;
  }

  /**
   * Moves every window out as numbers (for postMessage; transfer `buffers`). The aggregator is empty
   * afterwards. Used by worker threads that each aggregate a share of the input.
   */
  exportWindows(): { state: AggregatorTransfer; buffers: ArrayBuffer[] } {
    const out = new BinaryWriter();
    const str = out.str;
    out.num(this.trunkMode);
    const recount = this.recountNeeded();
    out.num(recount.length);
    for (const r of recount) {
      out.num(str(r.customerId));
      out.num(r.hourIdx);
    }
    out.num(this.customers.size);
    for (const [customerId, s] of this.customers) {
      out.num(str(customerId));
      out.num(s.trunkOrder.size);
      for (const t of s.trunkOrder.keys()) out.num(str(t));
      out.num(s.hours.size);
      for (const [hourIdx, slot] of s.hours) {
        out.num(hourIdx);
        out.num(slot.soleTrunk === null ? -1 : str(slot.soleTrunk));
        out.num((slot.split ? 1 : 0) | (slot.frozen ? 2 : 0));
        writeWindow(slot.w, out, str);
        out.num(slot.trunkCalls === null ? -1 : slot.trunkCalls.size);
        for (const [t, n] of slot.trunkCalls ?? []) {
          out.num(str(t));
          out.num(n);
        }
      }
      out.num(s.trunks.size);
      for (const [trunkId, byHour] of s.trunks) {
        out.num(str(trunkId));
        out.num(byHour.size);
        for (const [hourIdx, w] of byHour) {
          out.num(hourIdx);
          out.num(w ? 1 : 0);
          if (w) writeWindow(w, out, str);
        }
      }
    }
    this.customers.clear();
    this.bySlot = [];
    this.recount.clear();
    this.open = [];
    this.lastState = null;
    this.lastCustomer = '';
    const state = out.finish();
    return { state, buffers: bundleBuffers(state) };
  }

  /**
   * Takes in another aggregator's windows (a worker's share of the input). Windows this aggregator
   * already has are merged; import shares in input order, so customers and trunks keep the order a
   * single reader would give them. A window frozen on either side cannot be merged from counts: it
   * is listed by recountNeeded() instead.
   */
  importWindows(state: AggregatorTransfer): void {
    const src = new BinaryReader(state);
    const mode = src.num();
    if (mode !== this.trunkMode)
      throw new RangeError(
        `cannot import windows kept with trunk mode ${mode} into trunk mode ${this.trunkMode}`,
      );
    for (let r = src.num(); r > 0; r--) this.markRecount(src.str(src.num()), src.num());
    for (let c = src.num(); c > 0; c--) this.importCustomer(readCustomer(src));
    if (!src.done) throw new RangeError('binary windows carry numbers past their last customer');
    this.lastState = null;
    this.lastCustomer = '';
  }

  private importCustomer(c: ImportedCustomer): void {
    const mine = this.stateOf(c.customerId);
    for (const t of c.trunkOrder) registerTrunk(mine, t);
    // hours this aggregator lacks are taken over as they are, in the order the sender kept them
    const fresh = new Set<number>();
    for (const h of c.hours) if (!mine.hours.has(h.hourIdx)) fresh.add(h.hourIdx);
    const toMerge = new Map<number, Map<string, WindowAggregate | null>>();
    for (const t of c.trunks) {
      const byHour = this.trunkHours(mine, t.trunkId);
      for (const h of t.hours) {
        if (fresh.has(h.hourIdx)) {
          byHour.set(h.hourIdx, h.window);
          continue;
        }
        let byTrunk = toMerge.get(h.hourIdx);
        if (!byTrunk) {
          byTrunk = new Map();
          toMerge.set(h.hourIdx, byTrunk);
        }
        byTrunk.set(t.trunkId, h.window);
      }
    }
    for (const { hourIdx, slot } of c.hours) {
      const have = mine.hours.get(hourIdx);
      if (!have) mine.hours.set(hourIdx, slot);
      else if (have.frozen || slot.frozen) this.markRecount(c.customerId, hourIdx);
      else if (this.trunkMode === TRUNKS_CALLS) mergeTrunkCalls(have, slot);
      else this.mergeSlot(mine, hourIdx, have, slot, toMerge.get(hourIdx) ?? new Map());
    }
  }

  private markRecount(customerId: string, hourIdx: number): void {
    const key = `${customerId}\u0000${hourIdx}`;
    if (!this.recount.has(key)) this.recount.set(key, { customerId, hourIdx });
  }

  /** Merges another reader's slot of the same customer-hour into `have`, trunk windows included. */
  private mergeSlot(
    state: CustomerWindows,
    hourIdx: number,
    have: HourSlot,
    other: HourSlot,
    otherTrunks: Map<string, WindowAggregate | null>,
  ): void {
    if (!have.split && !other.split && have.soleTrunk === other.soleTrunk) {
      mergeInto(have.w, other.w);
      return;
    }
    // the hour is split once merged: every trunk gets a window of its own, made before the customer
    // windows merge (a sole trunk's window is its customer window)
    const theirs = new Map<string, WindowAggregate>();
    for (const [trunk, w] of otherTrunks) {
      if (w) theirs.set(trunk, w);
      else if (!other.split && other.soleTrunk === trunk) {
        const copy = cloneWindow(other.w);
        copy.trunkId = trunk;
        theirs.set(trunk, copy);
      }
    }
    if (!have.split && have.soleTrunk !== null) {
      const copy = cloneWindow(have.w);
      copy.trunkId = have.soleTrunk;
      this.trunkHours(state, have.soleTrunk).set(hourIdx, copy);
    }
    have.split = true;
    mergeInto(have.w, other.w);
    for (const [trunk, w] of theirs) {
      const byHour = this.trunkHours(state, trunk);
      const mineW = byHour.get(hourIdx);
      if (mineW) mergeInto(mineW, w);
      else byHour.set(hourIdx, w);
    }
  }

  /**
   * Calls per trunk and hour of one customer, without building windows: per hour, trunks come in the
   * order the customer first used them.
   */
  trunkAttemptsOf(customerId: string): Array<{ trunkId: string; hourMs: number; attempts: number }> {
    const s = this.customers.get(customerId);
    if (!s) return [];
    const out: Array<{ trunkId: string; hourMs: number; attempts: number }> = [];
    if (this.trunkMode === TRUNKS_CALLS) {
      for (const slot of s.hours.values()) {
        const hourMs = slot.w.hourMs;
        if (slot.trunkCalls !== null)
          for (const [trunkId, attempts] of slot.trunkCalls) out.push({ trunkId, hourMs, attempts });
        else if (slot.soleTrunk !== null)
          out.push({ trunkId: slot.soleTrunk, hourMs, attempts: slot.w.attempts });
      }
      const order = s.trunkOrder;
      return out.sort((a, b) => (order.get(a.trunkId) ?? 0) - (order.get(b.trunkId) ?? 0));
    }
    for (const [trunk, byHour] of s.trunks)
      for (const [hourIdx, w] of byHour) {
        const src = w ?? (s.hours.get(hourIdx) as HourSlot).w;
        out.push({ trunkId: trunk, hourMs: src.hourMs, attempts: src.attempts });
      }
    return out;
  }

  /** All customer-level windows, then all trunk-level windows. */
  *windows(): Generator<WindowAggregate> {
    for (const s of this.customers.values()) for (const slot of s.hours.values()) yield slot.w;
    for (const s of this.customers.values())
      for (const [trunk, byHour] of s.trunks)
        for (const [hourIdx, w] of byHour) yield this.trunkWindow(s, trunk, hourIdx, w);
  }

  customerWindows(): Map<string, WindowAggregate[]> {
    const out = new Map<string, WindowAggregate[]>();
    for (const [id, s] of this.customers)
      out.set(
        id,
        [...s.hours.values()].map((slot) => slot.w).sort((a, b) => a.hourMs - b.hourMs),
      );
    return out;
  }

  trunkWindowsOf(customerId: string): WindowAggregate[] {
    const s = this.customers.get(customerId);
    if (!s) return [];
    const out: WindowAggregate[] = [];
    for (const [trunk, byHour] of s.trunks)
      for (const [hourIdx, w] of byHour) out.push(this.trunkWindow(s, trunk, hourIdx, w));
    return out;
  }
}

function registerTrunk(state: CustomerWindows, trunk: string): void {
  if (!state.trunkOrder.has(trunk)) state.trunkOrder.set(trunk, state.trunkOrder.size);
}

/** The trunks that carried calls in an hour kept with trunk calls only. */
function trunksOfSlot(slot: HourSlot): string[] {
  if (slot.trunkCalls !== null) return [...slot.trunkCalls.keys()];
  return slot.soleTrunk === null ? [] : [slot.soleTrunk];
}

/** Merges another reader's slot of the same customer-hour into `have`, trunk calls included. */
function mergeTrunkCalls(have: HourSlot, other: HourSlot): void {
  if (!have.split && !other.split && have.soleTrunk === other.soleTrunk) {
    mergeInto(have.w, other.w);
    return;
  }
  const calls = new Map<string, number>();
  for (const [slot, into] of [
    [have, calls],
    [other, calls],
  ] as const) {
    if (slot.trunkCalls !== null) for (const [t, n] of slot.trunkCalls) into.set(t, (into.get(t) ?? 0) + n);
    else if (slot.soleTrunk !== null)
      into.set(slot.soleTrunk, (into.get(slot.soleTrunk) ?? 0) + slot.w.attempts);
  }
  have.split = true;
  have.soleTrunk = null;
  have.trunkCalls = calls;
  mergeInto(have.w, other.w);
}

function readCustomer(src: BinaryReader): ImportedCustomer {
  const customerId = src.str(src.num());
  const trunkOrder: string[] = [];
  for (let t = src.num(); t > 0; t--) trunkOrder.push(src.str(src.num()));
  const hours: ImportedCustomer['hours'] = [];
  for (let h = src.num(); h > 0; h--) {
    const hourIdx = src.num();
    const sole = src.num();
    const flags = src.num();
    const w = readWindow(src, src.str);
    const n = src.num();
    let trunkCalls: Map<string, number> | null = null;
    if (n >= 0) {
      trunkCalls = new Map();
      for (let k = 0; k < n; k++) trunkCalls.set(src.str(src.num()), src.num());
    }
    hours.push({
      hourIdx,
      slot: {
        w,
        soleTrunk: sole < 0 ? null : src.str(sole),
        split: (flags & 1) !== 0,
        frozen: (flags & 2) !== 0,
        trunkCalls,
      },
    });
  }
  const trunks: ImportedCustomer['trunks'] = [];
  for (let t = src.num(); t > 0; t--) {
    const trunkId = src.str(src.num());
    const byHour: Array<{ hourIdx: number; window: WindowAggregate | null }> = [];
    for (let h = src.num(); h > 0; h--) {
      const hourIdx = src.num();
      byHour.push({ hourIdx, window: src.num() === 1 ? readWindow(src, src.str) : null });
    }
    trunks.push({ trunkId, hours: byHour });
  }
  return { customerId, trunkOrder, hours, trunks };
}
