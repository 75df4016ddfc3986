import type { InventoryCache } from './call-facts.ts';
import type { WindowAggregate } from './window.ts';

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
export interface HourSlot {
  w: WindowAggregate;
  soleTrunk: string | null;
  split: boolean;
  /** called and pair sets of this hour (customer and trunk windows) hold counts only */
  frozen: boolean;
  /** trunk calls only ('calls'), once the hour split: PSTN calls per trunk, in first-seen order */
  trunkCalls: Map<string, number> | null;
  /** the emptied trunkCalls of the slot's last use (reuseSlot), for its next split hour */
  spareCalls: Map<string, number> | null;
}

/** Everything an aggregator keeps of one customer. */
export interface CustomerWindows extends InventoryCache {
  customerId: string;
  hours: Map<number, HourSlot>;
  /** trunk -> hour index -> window, or null while it equals the customer window of that hour */
  trunks: Map<string, Map<number, WindowAggregate | null>>;
  /** trunk calls only ('calls'): the customer's trunks in first-seen order, as `trunks` keeps them */
  trunkOrder: Map<string, number>;
  lastHourIdx: number;
  lastSlot: HourSlot | null;
  /** the customer id's number in `idTableOf`'s string table (a spill writes the id once per hour) */
  idIndex: number;
  idTableOf: object | null;
}

export function newCustomer(customerId: string): CustomerWindows {
  return {
    customerId,
    hours: new Map(),
    trunks: new Map(),
    trunkOrder: new Map(),
    lastHourIdx: Number.NaN,
    lastSlot: null,
    idIndex: -1,
    idTableOf: null,
    inventory: null,
    inventoryOf: null,
    inventoryRevision: -1,
    declared: null,
    declaredOf: null,
  };
}

export function newSlot(w: WindowAggregate): HourSlot {
  return { w, soleTrunk: null, split: false, frozen: false, trunkCalls: null, spareCalls: null };
}

/** A slot that left its aggregator for good, made new around its window (emptied by the caller). */
export function reuseSlot(slot: HourSlot): HourSlot {
  slot.soleTrunk = null;
  slot.split = false;
  slot.frozen = false;
  if (slot.trunkCalls !== null) {
    slot.trunkCalls.clear();
    slot.spareCalls = slot.trunkCalls;
    slot.trunkCalls = null;
  }
  return slot;
}

/** A trunk's windows by hour index, made on first use (which also fixes the trunk's place in order). */
export function trunkHours(state: CustomerWindows, trunk: string): Map<number, WindowAggregate | null> {
  let byHour = state.trunks.get(trunk);
  if (!byHour) {
    byHour = new Map();
    state.trunks.set(trunk, byHour);
  }
  return byHour;
}

export function registerTrunk(state: CustomerWindows, trunk: string): void {
  if (!state.trunkOrder.has(trunk)) state.trunkOrder.set(trunk, state.trunkOrder.size);
}

/** The trunks that carried calls in an hour kept with trunk calls only. */
export function trunksOfSlot(slot: HourSlot): string[] {
  if (slot.trunkCalls !== null) return [...slot.trunkCalls.keys()];
  return slot.soleTrunk === null ? [] : [slot.soleTrunk];
}

/** what an aggregator keeps per (customer, trunk, hour): nothing, whole windows, or calls only */
export const TRUNKS_NONE = 0;
export const TRUNKS_WINDOWS = 1;
export const TRUNKS_CALLS = 2;
