import type { BatchSink } from '../cdr/batch-parser.ts';
import type { PackedCall } from '../cdr/packed-call.ts';
import type { CallRecord } from '../cdr/record.ts';
import { HOUR_MS } from '../cdr/time.ts';
import {
  type AggregatorTransfer,
  type CustomerPart,
  HourSpill,
  mergePart,
  partRecords,
  readCustomers,
  writeCustomers,
} from './aggregator-transfer.ts';
import { freeBundle, type KeyBlockSink } from './binary-transfer.ts';
import { CallFactsReader, DEST_PSTN } from './call-facts.ts';
import { CallFolder } from './call-fold.ts';
import {
  addTrunkCalls,
  type CustomerWindows,
  forEachTrunkCall,
  type HourSlot,
  newCustomer,
  newSlot,
  registerTrunk,
  resetTrunkCalls,
  reuseSlot,
  TRUNKS_CALLS,
  TRUNKS_NONE,
  TRUNKS_WINDOWS,
  trunkHours,
  trunkPlace,
} from './customer-hours.ts';
import { OpenHours } from './open-hours.ts';
import type { ReferenceData } from './reference.ts';
import { cloneWindow, emptyWindow, reuseWindow, type WindowAggregate } from './window.ts';

export type { AggregatorTransfer } from './aggregator-transfer.ts';

export interface AggregatorOptions {
  /** distinct counters stay exact up to this many keys, then switch to HyperLogLog */
  exactLimit?: number;
  /**
   * per (customer, trunk, hour): true keeps whole windows (the ingest path stores them), 'calls' only
   * the PSTN calls of each (all findings show of trunks), false nothing
   */
  trunkWindows?: boolean | 'calls';
  /**
   * Bounded memory for one big batch whose windows all go to another aggregator (a worker thread's
   * share, or a reader on the main thread): once a call arrives `behindHours` or more hours after an
   * hour, the hour is written out as numbers for exportWindows, sets and all, and dropped, so the
   * reader holds the hours still open instead of the whole input's. Such an aggregator can only be
   * exported. A call that comes later for an hour already written opens a new window of the hour,
   * which the importer merges exactly: input in any order gives the windows one plain reader gives
   * (memory follows the open hours only while the input comes in time order, and an hour opened again
   * counts against maxWindows again). `reserveBytes`: room to take at once for the hours written
   * out, so the writer need not grow (see spillReserveBytes). Not with trunkWindows true (whole trunk
   * windows are not written out early). `keys`: where the written-out sets' keys go instead of among
   * the numbers (a file: they are most of the bytes), for the importer to read back when it needs them.
   */
  spill?: { behindHours: number; reserveBytes?: number; keys?: KeyBlockSink };
  /**
   * customer-hour windows held at most: one more throws WindowLimitError, so a batch of a million
   * customers (or hours) fails with a clear message instead of growing memory without end
   */
  maxWindows?: number;
  /**
   * windows more allowed for every call folded: traffic with several calls per customer-hour (real
   * traffic) grows the limit with the input, while input built to open a window per call (a million
   * customers, or hours) still stops at about maxWindows
   */
  windowsPerCall?: number;
}

/**
 * Bytes a spilling reader reserves for the hours it writes out of `inputBytes` of decoded input: as
 * many as the input (at 20,000 customers, two calls per customer-hour, the hours took a fifth, and
 * a set's keys take 8 bytes each where a call's row takes 100 or more), capped at 256 MB of address
 * space, which pages never written do not take.
 */
export function spillReserveBytes(inputBytes: number): number {
  return Math.min(inputBytes, 1 << 28);
}

/**
 * One customer's hour windows in time order, and its PSTN calls per trunk and hour (listed when first
 * read: only a customer with a finding shows its trunks).
 */
export interface CustomerView {
  customerId: string;
  windows: WindowAggregate[];
  readonly trunkAttempts: Array<{ trunkId: string; hourMs: number; attempts: number }>;
}

/**
 * A CustomerView that lists its trunk calls when first asked. A class, not an object literal with a
 * getter: each such literal got a hidden class of its own, which the scavenger then treated as
 * live, so every customer's windows were promoted until a full collection (measured: 20,000
 * customers 310 -> 550 MB).
 */
class LazyTrunksView implements CustomerView {
  readonly customerId: string;
  readonly windows: WindowAggregate[];
  private readonly list: () => CustomerView['trunkAttempts'];
  private trunks: CustomerView['trunkAttempts'] | null = null;

  constructor(customerId: string, windows: WindowAggregate[], list: () => CustomerView['trunkAttempts']) {
    this.customerId = customerId;
    this.windows = windows;
    this.list = list;
  }

  get trunkAttempts(): CustomerView['trunkAttempts'] {
    this.trunks ??= this.list();
    return this.trunks;
  }
}

/** Keys to size a set for when the same set had `n` in the customer's last hour (at most 2^16). */
function expectedKeys(n: number): number {
  return Math.min(n, 1 << 16);
}

/** Merge hooks for an imported customer built from its parts: its windows were counted on import. */
const ALREADY_NOTED = { taken: () => {} };

/** spent slots kept for reuse at most: about the windows one hour opens at 60,000 customers */
const SPENT_SLOTS_MAX = 65_536;

/** More customer-hour windows than AggregatorOptions.maxWindows allows. */
export class WindowLimitError extends Error {
  override name = 'WindowLimitError';
}

/**
 * Folds call records into per (customer, hour) windows, and per (customer, trunk, hour) windows or
 * calls. Calls arrive either as CallRecords (`add`) or as PackedCalls from the canonical fast path
 * (`addPacked`); both reduce to the same facts (call-facts.ts) and the same fold (call-fold.ts).
 * Writing hours out for bounded memory is open-hours.ts; moving windows between threads and merging
 * them, aggregator-transfer.ts.
 */
export class Aggregator {
  private readonly limit: number;
  private readonly trunkMode: number;
  private readonly maxWindows: number;
  private readonly windowsPerCall: number;
  /** customer-hour windows held, and calls placed */
  private windowCount = 0;
  /** trunk-hour windows held apart from their customer's (an hour split over trunks) */
  private trunkWindowCount = 0;
  private calls = 0;
  /** the hours a spilling reader holds until they leave (AggregatorOptions.spill), or null */
  private readonly openHours: OpenHours | null;
  /** hours written out as they left (AggregatorOptions.spill), or null */
  private spill: HourSpill | null;
  /** slots written out and dropped, for new hours to reuse (see reuseWindow) */
  private readonly spentSlots: HourSlot[] = [];
  private readonly facts: CallFactsReader;
  private readonly folder = new CallFolder();
  private readonly customers = new Map<string, CustomerWindows>();
  /**
   * Customers taken in by importWindows and not built yet: where each one's windows lie in the
   * transfers, one part per reader that had it. Built when wanted (see settle and eachCustomer).
   */
  private readonly imported = new Map<string, CustomerPart[]>();
  /** the transfers imported customers lie in (see release) */
  private readonly transfers: AggregatorTransfer[] = [];
  private lastCustomer = '';
  private lastState: CustomerWindows | null = null;
  /** states by PackedCall.customerSlot (see stateOfPacked); emptied whenever states leave `customers` */
  private bySlot: Array<CustomerWindows | undefined> = [];

  /**
   * Whether calls must carry their source address: some customer declared its addresses. A sink that
   * feeds addPacked passes this on as BatchSink.packedSourceIps (callSink() does), or the fast lane
   * leaves them out.
   */
  readonly needsSourceIps: boolean;

  constructor(ref: ReferenceData, opts: AggregatorOptions = {}) {
    this.facts = new CallFactsReader(ref);
    this.needsSourceIps = [...ref.declarations.values()].some((d) => d.checksSources);
    this.limit = opts.exactLimit ?? Number.POSITIVE_INFINITY;
    const trunks = opts.trunkWindows ?? true;
    this.trunkMode = trunks === 'calls' ? TRUNKS_CALLS : trunks ? TRUNKS_WINDOWS : TRUNKS_NONE;
    if (opts.spill && this.trunkMode === TRUNKS_WINDOWS)
      throw new RangeError('spilling hours needs trunk calls or none rather than trunk windows');
    this.spill = opts.spill ? new HourSpill(opts.spill.reserveBytes, opts.spill.keys ?? null) : null;
    this.openHours = opts.spill
      ? new OpenHours(opts.spill.behindHours, (state, hourIdx, slot) => this.spillHour(state, hourIdx, slot))
      : null;
    this.maxWindows = opts.maxWindows ?? Number.POSITIVE_INFINITY;
    this.windowsPerCall = opts.windowsPerCall ?? 0;
  }

  /**
   * Windows folded here, customer-hour and trunk-hour alike (an hour of one trunk holds no window of
   * its own): what memory follows when a reader ends a part at a number of windows. Trunk windows
   * taken in by importWindows are not counted (an importer bounds customer-hours only).
   */
  get heldWindows(): number {
    return this.windowCount + this.trunkWindowCount;
  }

  /** Counts `n` more customer-hour windows (1 unless given), or throws when that is too many. */
  private countWindow(n = 1): void {
    const limit = this.maxWindows + Math.floor(this.calls * this.windowsPerCall);
    this.windowCount += n;
    if (this.windowCount > limit)
      throw new WindowLimitError(
        `more than ${limit} customer-hour windows (distinct customers x hours) for ${this.calls} calls in one run`,
      );
  }

  /** Folds a call; `packed`, when given, is the record already packed (packRecord), read and not kept. */
  add(r: CallRecord, packed?: PackedCall): void {
    const p = this.facts.ofRecord(r, packed);
    this.place(this.stateOf(r.customerId), p);
  }

  /**
   * The call side of a parser sink that only aggregates: both lanes into this aggregator, with the
   * fast lane told what the calls must carry. The caller adds what to do with quarantined rows.
   */
  callSink(): Pick<BatchSink, 'call' | 'packed' | 'packedSourceIps'> {
    return {
      call: (r, _raw, packed) => this.add(r, packed),
      packed: (p) => this.addPacked(p),
      packedSourceIps: this.needsSourceIps,
    };
  }

  /** Folds a call from the canonical fast path (the reused PackedCall is read, not kept). */
  addPacked(p: PackedCall): void {
    const state = this.stateOfPacked(p);
    this.facts.ofPacked(p, state);
    this.place(state, p);
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
      state = this.customers.get(customerId) ?? this.settle(customerId) ?? null;
      if (!state) {
        state = newCustomer(customerId);
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
    this.calls++;
    let slot = state.lastSlot;
    if (slot === null || state.lastHourIdx !== hourIdx) {
      this.openHours?.see(hourIdx);
      slot = state.hours.get(hourIdx) ?? null;
      if (!slot) {
        this.countWindow();
        // size the sets for as many calls (and calling numbers) as the customer's last hour had, its
        // slot or, once written out, what it left: no rehashing as they fill (tables are at most half
        // full, so an hour may have up to twice as many; a set gone over to HLL counts as size 0)
        const last = state.lastSlot === null ? null : state.lastSlot.w;
        slot = this.newHourSlot(
          p.customerId,
          hour,
          expectedKeys(last === null ? state.spilledCalls : last.attempts),
          expectedKeys(last === null ? state.spilledCalling : last.calling.size),
        );
        state.hours.set(hourIdx, slot);
        this.openHours?.opened(state, hourIdx, slot);
      }
      state.lastHourIdx = hourIdx;
      state.lastSlot = slot;
    }
    if (this.trunkMode === TRUNKS_WINDOWS) this.placeTrunk(state, slot, p, hour, hourIdx);
    else if (this.trunkMode === TRUNKS_CALLS) this.countTrunkCall(state, slot, p.trunkId);
    this.folder.fold(slot.w, p, this.facts.facts);
  }

  /** A new hour's slot: one written out before, emptied, when there is one. */
  private newHourSlot(customerId: string, hour: number, calls: number, calling: number): HourSlot {
    const spent = this.spentSlots.pop();
    if (spent === undefined) return newSlot(emptyWindow(customerId, '', hour, this.limit, calls, calling));
    reuseWindow(spent.w, customerId, '', hour, calls, calling);
    return reuseSlot(spent);
  }

  /** Writes an hour the input left behind out and forgets it (AggregatorOptions.spill); its slot is reused. */
  private spillHour(state: CustomerWindows, hourIdx: number, slot: HourSlot): void {
    (this.spill as HourSpill).write(state, hourIdx, slot);
    state.spilledCalls = slot.w.attempts;
    state.spilledCalling = slot.w.calling.size;
    state.hours.delete(hourIdx);
    if (state.lastSlot === slot) {
      state.lastSlot = null;
      state.lastHourIdx = Number.NaN;
    }
    // nothing else holds a slot: OpenHours let go of it, and the transfer has its numbers
    if (this.spentSlots.length < SPENT_SLOTS_MAX) this.spentSlots.push(slot);
  }

  /** Throws where windows would be missed: this aggregator wrote some out already, for export only. */
  private assertWhole(what: string): void {
    if (this.spill !== null && this.spill.records > 0)
      throw new RangeError(`cannot ${what}: this aggregator spilled hours for export (exportWindows only)`);
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
        trunkHours(state, trunk).set(hourIdx, null);
        return;
      }
      if (trunk !== '' && slot.soleTrunk === trunk) return;
      slot.split = true;
      if (slot.soleTrunk !== null) {
        const copy = cloneWindow(slot.w);
        copy.trunkId = slot.soleTrunk;
        trunkHours(state, slot.soleTrunk).set(hourIdx, copy);
        this.trunkWindowCount++;
      }
    }
    if (trunk === '') return;
    const byHour = trunkHours(state, trunk);
    let tw = byHour.get(hourIdx);
    if (!tw) {
      tw = emptyWindow(p.customerId, trunk, hour, this.limit);
      byHour.set(hourIdx, tw);
      this.trunkWindowCount++;
    }
    this.folder.fold(tw, p, this.facts.facts);
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
      resetTrunkCalls(slot, 0);
      if (slot.soleTrunk !== null) addTrunkCalls(slot, slot.soleTrunk, slot.w.attempts);
    }
    if (trunk === '') return;
    const pstn = this.facts.facts.destination === DEST_PSTN ? 1 : 0;
    // a trunk already counted in this hour is registered with the customer
    if (addTrunkCalls(slot, trunk, pstn)) registerTrunk(state, trunk);
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
    this.settleAll();
    const spilled = this.spill ?? undefined;
    if (this.spill) this.spill = new HourSpill();
    const moved = writeCustomers(this.customers, this.trunkMode, this.calls, spilled);
    this.calls = 0;
    this.windowCount = 0;
    this.trunkWindowCount = 0;
    this.customers.clear();
    this.bySlot = [];
    this.openHours?.clear();
    this.lastState = null;
    this.lastCustomer = '';
    return moved;
  }

  /**
   * Takes in another aggregator's windows (a worker's share of the input). Import shares in input
   * order, so customers and trunks keep the order a single reader would give them. Windows are not
   * built here: the aggregator notes where each customer lies and builds it when it is wanted, so a
   * main thread scoring customer by customer never holds every window as objects at once. Hours
   * that more than one record has (two shares, or an hour a late call opened again) are merged when
   * built. A customer this aggregator folded calls of itself is merged at once.
   */
  importWindows(state: AggregatorTransfer): void {
    this.assertWhole('import windows');
    this.transfers.push(state);
    for (const item of readCustomers(state, this.trunkMode)) {
      // the windows' calls count as this aggregator's, so its window limit grows as theirs did
      if ('calls' in item) this.calls += item.calls;
      else this.importPart(item.customer, item.part);
    }
    this.lastState = null;
    this.lastCustomer = '';
  }

  private importPart(customerId: string, part: CustomerPart): void {
    const mine = this.customers.get(customerId);
    if (mine) {
      mergePart(mine, part, this.trunkMode, { taken: () => this.countWindow() });
      return;
    }
    let list = this.imported.get(customerId);
    if (!list) {
      list = [];
      this.imported.set(customerId, list);
    }
    // every hour record counts, as it counted in the reader that wrote it (a reader counts an hour a
    // late call opened again once more): reading each record's hour to count an hour two records hold
    // once took a fifth of this thread's time after the read at 20,000 customers
    this.countWindow(partRecords(part));
    list.push(part);
  }

  /**
   * Frees the memory of the imported transfers now, for an owner done with this aggregator (scored,
   * never read again): their buffers are detached, where otherwise they would wait, by then in the
   * old generation, for a full collection while the findings are written (at 20,000 customers two
   * transfers of 33 MB). Every window goes with them; using the aggregator afterwards fails. Call it
   * once the thread's typed-array work is done: after the first detached buffer, V8 checks every
   * typed-array access of the thread for detachment.
   */
  release(): void {
    for (const t of this.transfers) freeBundle(t);
    this.transfers.length = 0;
    this.imported.clear();
    this.customers.clear();
    this.bySlot = [];
    this.lastState = null;
    this.lastCustomer = '';
  }

  /**
   * An imported customer's windows, built from its parts (each time: nothing is kept). `toScore`:
   * only to be scored, so its sets count their keys and leave them in the transfers until something
   * wants them (readWindow's `countsOnly`): an hour that two records hold (two readers', or one a
   * late call opened again) merges from its keys, and most hours never need theirs (a reader that
   * writes its hours out whole, sets and all, would otherwise have every key hashed into a table again).
   */
  private build(parts: CustomerPart[], toScore = false): CustomerWindows {
    const state = newCustomer(parts[0].customerId);
    for (const part of parts) mergePart(state, part, this.trunkMode, ALREADY_NOTED, toScore);
    return state;
  }

  /** The customer's state, built and kept from here on if it was only imported so far. */
  private settle(customerId: string): CustomerWindows | undefined {
    if (this.imported.size > 0) {
      const parts = this.imported.get(customerId);
      if (parts) {
        this.imported.delete(customerId);
        const state = this.build(parts);
        this.customers.set(customerId, state);
        return state;
      }
    }
    return this.customers.get(customerId);
  }

  /** Builds and keeps every imported customer, for the accessors that hand out windows to keep. */
  private settleAll(): void {
    for (const id of [...this.imported.keys()]) this.settle(id);
  }

  /**
   * Every customer's hour windows in time order with its trunk calls, one customer at a time. An
   * imported customer is built for the caller and not kept, so scoring a carrier's day holds the
   * compact transfers and one customer's objects at a time; its windows are for scoring, and their
   * called-number and pair sets may hold only their counts.
   */
  *eachCustomer(): Generator<CustomerView> {
    this.assertWhole('hand out windows');
    for (const s of this.customers.values()) yield this.viewOf(s);
    for (const parts of this.imported.values()) yield this.viewOf(this.build(parts, true));
  }

  private viewOf(s: CustomerWindows): CustomerView {
    return new LazyTrunksView(s.customerId, hourWindows(s), () => this.trunkAttemptsOfState(s));
  }

  /**
   * Calls per trunk and hour of one customer, without building windows: per hour, trunks come in the
   * order the customer first used them.
   */
  trunkAttemptsOf(customerId: string): Array<{ trunkId: string; hourMs: number; attempts: number }> {
    this.assertWhole('hand out trunk calls');
    const s = this.settle(customerId);
    return s ? this.trunkAttemptsOfState(s) : [];
  }

  private trunkAttemptsOfState(s: CustomerWindows): CustomerView['trunkAttempts'] {
    const out: Array<{ trunkId: string; hourMs: number; attempts: number }> = [];
    if (this.trunkMode === TRUNKS_CALLS) {
      for (const slot of s.hours.values()) {
        const hourMs = slot.w.hourMs;
        if (slot.trunkCount >= 0)
          forEachTrunkCall(slot, (trunkId, attempts) => out.push({ trunkId, hourMs, attempts }));
        else if (slot.soleTrunk !== null)
          out.push({ trunkId: slot.soleTrunk, hourMs, attempts: slot.w.attempts });
      }
      return out.sort((a, b) => trunkPlace(s, a.trunkId) - trunkPlace(s, b.trunkId));
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
    this.assertWhole('hand out windows');
    this.settleAll();
    for (const s of this.customers.values()) for (const slot of s.hours.values()) yield slot.w;
    for (const s of this.customers.values())
      for (const [trunk, byHour] of s.trunks)
        for (const [hourIdx, w] of byHour) yield this.trunkWindow(s, trunk, hourIdx, w);
  }

  customerWindows(): Map<string, WindowAggregate[]> {
    this.assertWhole('hand out windows');
    this.settleAll();
    const out = new Map<string, WindowAggregate[]>();
    for (const [id, s] of this.customers) out.set(id, hourWindows(s));
    return out;
  }
}

/** A customer's hour windows in time order. */
function hourWindows(s: CustomerWindows): WindowAggregate[] {
  return [...s.hours.values()].map((slot) => slot.w).sort((a, b) => a.hourMs - b.hourMs);
}
