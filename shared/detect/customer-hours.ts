import type { InventoryCache } from './call-facts.ts';
import { HourSlots } from './hour-slots.ts';
import type { WindowAggregate } from './window.ts';

/**
 * One customer-hour. While every call of the hour came through one trunk (the usual case), that
 * trunk's window is the customer window under another name, so it is not folded twice: the trunk map
 * holds null for it. The first call through another trunk (or none) splits the hour: the sole trunk's
 * window becomes a copy of the customer window so far, and from then on trunk windows fold on their own.
 */
export interface HourSlot {
  w: WindowAggregate;
  soleTrunk: string | null;
  split: boolean;
  /**
   * Trunk calls only ('calls'), once the hour split: PSTN calls per trunk, in first-seen order (see
   * addTrunkCalls, forEachTrunkCall). How many trunks, -1 before a split. The first two sit in the
   * slot's own fields: an hour seldom has more, and a Map per split hour, looked up on every call,
   * was a twentieth of a worker's time at 2,000 customers on two trunks each.
   */
  trunkCount: number;
  trunkA: string;
  callsA: number;
  trunkB: string;
  callsB: number;
  /** trunks past the second, made on first use and kept, emptied, for the slot's next use */
  moreTrunks: Map<string, number> | null;
}

/** Everything an aggregator keeps of one customer. */
export interface CustomerWindows extends InventoryCache {
  customerId: string;
  hours: HourSlots<HourSlot>;
  /**
   * trunk -> hour index -> window, or null while it equals the customer window of that hour. Shared
   * and empty (NO_TRUNKS) until trunkHours adds the first trunk, the only writer.
   */
  trunks: Map<string, Map<number, WindowAggregate | null>>;
  /**
   * trunk calls only ('calls'): the customer's trunks past its first two (trunk0, trunk1) with their
   * places in first-seen order (2, 3...), as `trunks` keeps them. Shared and empty (NO_MORE_TRUNKS)
   * until a third trunk: most customers have one or two, and a Map each cost 184 bytes a customer in
   * every thread. Read it with trunkPlace and trunksInOrder.
   */
  trunkOrder: Map<string, number>;
  lastHourIdx: number;
  lastSlot: HourSlot | null;
  /**
   * Calls and distinct calling numbers of the customer's last hour written out (AggregatorOptions.spill),
   * to size the next hour's sets: a reader writes an hour out as soon as the input reaches the next,
   * before most customers' first call of it, so their last slot is gone by then.
   */
  spilledCalls: number;
  spilledCalling: number;
  /** the customer id's number in `idTableOf`'s string table (a spill writes the id once per hour) */
  idIndex: number;
  idTableOf: object | null;
  /**
   * The customer's first two trunks in first-seen order (registerTrunk; null until seen), and their
   * numbers in `idTableOf`'s string table (-1 until written there): an hour's trunk is almost always
   * one of them, and a lookup per customer-hour in a Map of the customer's trunks, then in the table
   * of every string when the hour was written out, cost a twentieth of a worker's time at 20,000
   * customers.
   */
  trunk0: string | null;
  trunk0No: number;
  trunk1: string | null;
  trunk1No: number;
}

/**
 * The trunk windows of every customer that has none: most have none, since the analyze workers keep
 * trunk calls only, and a Map of its own cost 184 bytes a customer (7 MB at 20,000 customers in two
 * workers). Never written to: trunkHours gives a customer its own Map first.
 */
const NO_TRUNKS: CustomerWindows['trunks'] = new Map();
/** The trunks past the second of every customer that has none (see CustomerWindows.trunkOrder); never written to. */
const NO_MORE_TRUNKS: CustomerWindows['trunkOrder'] = new Map();

export function newCustomer(customerId: string): CustomerWindows {
  return {
    customerId,
    hours: new HourSlots(),
    trunks: NO_TRUNKS,
    trunkOrder: NO_MORE_TRUNKS,
    lastHourIdx: Number.NaN,
    lastSlot: null,
    spilledCalls: 0,
    spilledCalling: 0,
    idIndex: -1,
    idTableOf: null,
    trunk0: null,
    trunk0No: -1,
    trunk1: null,
    trunk1No: -1,
    inventory: null,
    inventoryOf: null,
    inventoryRevision: -1,
    declared: null,
    declaredOf: null,
  };
}

export function newSlot(w: WindowAggregate): HourSlot {
  return {
    w,
    soleTrunk: null,
    split: false,
    trunkCount: -1,
    trunkA: '',
    callsA: 0,
    trunkB: '',
    callsB: 0,
    moreTrunks: null,
  };
}

/** A slot that left its aggregator for good, made new around its window (emptied by the caller). */
export function reuseSlot(slot: HourSlot): HourSlot {
  slot.soleTrunk = null;
  slot.split = false;
  resetTrunkCalls(slot, -1);
  return slot;
}

/** Empties the slot's trunk calls: -1 (not split) or 0 (split, no trunk counted yet). */
export function resetTrunkCalls(slot: HourSlot, count: -1 | 0): void {
  slot.trunkCount = count;
  slot.trunkA = '';
  slot.trunkB = '';
  if (slot.moreTrunks !== null && slot.moreTrunks.size > 0) slot.moreTrunks.clear();
}

/** Adds `calls` to a trunk's count in a split hour; returns true when the trunk is new to the hour. */
export function addTrunkCalls(slot: HourSlot, trunk: string, calls: number): boolean {
  const n = slot.trunkCount;
  if (n > 0 && slot.trunkA === trunk) {
    slot.callsA += calls;
    return false;
  }
  if (n > 1 && slot.trunkB === trunk) {
    slot.callsB += calls;
    return false;
  }
  if (n > 2) {
    const more = slot.moreTrunks as Map<string, number>;
    const had = more.get(trunk);
    if (had !== undefined) {
      more.set(trunk, had + calls);
      return false;
    }
  }
  if (n === 0) {
    slot.trunkA = trunk;
    slot.callsA = calls;
  } else if (n === 1) {
    slot.trunkB = trunk;
    slot.callsB = calls;
  } else {
    slot.moreTrunks ??= new Map();
    slot.moreTrunks.set(trunk, calls);
  }
  slot.trunkCount = n + 1;
  return true;
}

/**
 * Calls `fn` with each trunk of a split hour and its calls, in first-seen order; `self` is its `this`
 * (a writer passes itself and a plain function: no closure per hour written).
 */
export function forEachTrunkCall<T>(
  slot: HourSlot,
  fn: (this: T, trunk: string, calls: number) => void,
  self?: T,
): void {
  const n = slot.trunkCount;
  if (n > 0) fn.call(self as T, slot.trunkA, slot.callsA);
  if (n > 1) fn.call(self as T, slot.trunkB, slot.callsB);
  if (n > 2)
    for (const [trunk, calls] of slot.moreTrunks as Map<string, number>) fn.call(self as T, trunk, calls);
}

/** A trunk's windows by hour index, made on first use (which also fixes the trunk's place in order). */
export function trunkHours(state: CustomerWindows, trunk: string): Map<number, WindowAggregate | null> {
  let byHour = state.trunks.get(trunk);
  if (!byHour) {
    byHour = new Map();
    if (state.trunks === NO_TRUNKS) state.trunks = new Map();
    state.trunks.set(trunk, byHour);
  }
  return byHour;
}

/** Gives a trunk its place in the customer's first-seen order, if it has none yet. */
export function registerTrunk(state: CustomerWindows, trunk: string): void {
  if (trunk === state.trunk0 || trunk === state.trunk1) return;
  if (state.trunk0 === null) state.trunk0 = trunk;
  else if (state.trunk1 === null) state.trunk1 = trunk;
  else if (!state.trunkOrder.has(trunk)) {
    if (state.trunkOrder === NO_MORE_TRUNKS) state.trunkOrder = new Map();
    state.trunkOrder.set(trunk, 2 + state.trunkOrder.size);
  }
}

/** A registered trunk's place in the customer's first-seen order (0, 1...); 0 for one never registered. */
export function trunkPlace(state: CustomerWindows, trunk: string): number {
  if (trunk === state.trunk0) return 0;
  if (trunk === state.trunk1) return 1;
  return state.trunkOrder.get(trunk) ?? 0;
}

/** The customer's registered trunks in first-seen order. */
export function trunksInOrder(state: CustomerWindows): string[] {
  const out: string[] = [];
  if (state.trunk0 !== null) out.push(state.trunk0);
  if (state.trunk1 !== null) out.push(state.trunk1);
  for (const t of state.trunkOrder.keys()) out.push(t);
  return out;
}

/**
 * A trunk's number in `out`'s string table, from the customer's own fields for its first two trunks
 * when `state` is given (its numbers are `out`'s: see CustomerWindows.trunk0).
 */
export function trunkNumber(
  out: { str: (s: string) => number },
  state: CustomerWindows | null,
  trunk: string,
): number {
  if (state !== null) {
    if (trunk === state.trunk0) {
      if (state.trunk0No < 0) state.trunk0No = out.str(trunk);
      return state.trunk0No;
    }
    if (trunk === state.trunk1) {
      if (state.trunk1No < 0) state.trunk1No = out.str(trunk);
      return state.trunk1No;
    }
  }
  return out.str(trunk);
}

/** what an aggregator keeps per (customer, trunk, hour): nothing, whole windows, or calls only */
export const TRUNKS_NONE = 0;
export const TRUNKS_WINDOWS = 1;
export const TRUNKS_CALLS = 2;
