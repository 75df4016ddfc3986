import {
  type BinaryBundle,
  BinaryReader,
  BinaryWriter,
  bundleBuffers,
  FIXED_BYTES,
  type KeyBlockSink,
} from './binary-transfer.ts';
import {
  addTrunkCalls,
  type CustomerWindows,
  forEachTrunkCall,
  type HourSlot,
  newSlot,
  registerTrunk,
  resetTrunkCalls,
  TRUNKS_CALLS,
  trunkHours,
  trunkNumber,
  trunksInOrder,
} from './customer-hours.ts';
import { cloneWindow, mergeInto, readWindow, type WindowAggregate, writeWindow } from './window.ts';

/**
 * Moving an aggregator's windows between threads and merging them into another's: a worker writes
 * its customers as numbers (binary-transfer.ts); the main thread finds where each customer lies and
 * builds a customer's windows only when they are wanted, merging the parts other readers had of it.
 */

/** An aggregator's windows as numbers, to move a worker thread's result to the main thread. */
export type AggregatorTransfer = BinaryBundle;

/** One customer's windows as read back from a transfer, before they join this aggregator's. */
export interface ImportedCustomer {
  customerId: string;
  trunkOrder: string[];
  hours: Array<{ hourIdx: number; slot: HourSlot }>;
  trunks: Array<{ trunkId: string; hours: Array<{ hourIdx: number; window: WindowAggregate | null }> }>;
}

const SPLIT_FLAG = 1;

function slotFlags(slot: HourSlot): number {
  return slot.split ? SPLIT_FLAG : 0;
}

/**
 * An hour's slot without its hour and flags: the sole trunk, the window, the calls per trunk. `state`:
 * its customer, when the customer's trunk numbers are `out`'s (see CustomerWindows.trunk0).
 */
function writeSlotBody(out: BinaryWriter, slot: HourSlot, state: CustomerWindows | null): void {
  out.num(slot.soleTrunk === null ? -1 : trunkNumber(out, state, slot.soleTrunk));
  writeWindow(slot.w, out);
  out.num(slot.trunkCount);
  writing.out = out;
  writing.state = state;
  forEachTrunkCall(slot, writeTrunkCalls, writing);
  writing.state = null;
}

/**
 * where writeTrunkCalls writes, and the customer whose hours writeHourBody writes (see writeSlotBody):
 * one object reused, so that no closure is made per hour or customer written
 */
const writing: {
  out: BinaryWriter | null;
  state: CustomerWindows | null;
  bodyState: CustomerWindows | null;
} = { out: null, state: null, bodyState: null };

/** An hour's number and flags, ahead of the customer's slot bodies (HourSlots.forEach, `this` the writer). */
function writeHourHead(this: BinaryWriter, slot: HourSlot, hourIdx: number): void {
  this.num(hourIdx);
  this.num(slotFlags(slot));
}

function writeHourBody(this: BinaryWriter, slot: HourSlot): void {
  writeSlotBody(this, slot, writing.bodyState);
}

function writeTrunkCalls(this: typeof writing, trunk: string, calls: number): void {
  const out = this.out as BinaryWriter;
  out.num(trunkNumber(out, this.state, trunk));
  out.num(calls);
}

function readSlotBody(src: BinaryReader, customerId: string, flags: number, countsOnly: boolean): HourSlot {
  const sole = src.num();
  const w = readWindow(src, customerId, '', countsOnly);
  const n = src.num();
  const slot = newSlot(w);
  slot.soleTrunk = sole < 0 ? null : src.str(sole);
  slot.split = (flags & SPLIT_FLAG) !== 0;
  if (n >= 0) {
    resetTrunkCalls(slot, 0);
    for (let k = 0; k < n; k++) addTrunkCalls(slot, src.str(src.num()), src.num());
  }
  return slot;
}

/**
 * Hours written out as numbers while a reader goes on (AggregatorOptions.spill): the start of the
 * transfer writeCustomers finishes. Each is a record of its own: customer, hour, flags, the length of
 * the rest, then the slot.
 */
export class HourSpill {
  readonly out: BinaryWriter;
  records = 0;

  /**
   * `reserveBytes`: room to take at once (see AggregatorOptions.spillReserveBytes); `keys`: where the
   * sets' keys go instead of among the numbers
   */
  constructor(reserveBytes = 0, keys: KeyBlockSink | null = null) {
    this.out = new BinaryWriter(reserveBytes, keys);
  }

  write(state: CustomerWindows, hourIdx: number, slot: HourSlot): void {
    const out = this.out;
    // the id's number is kept with the customer: a lookup in a table of every id, once per hour
    // written, cost more than writing the hour's window at 20,000 customers
    if (state.idTableOf !== this) {
      state.idIndex = out.str(state.customerId);
      state.idTableOf = this;
      state.trunk0No = -1;
      state.trunk1No = -1;
    }
    out.num(state.idIndex);
    out.num(hourIdx);
    out.num(slotFlags(slot));
    const lengthAt = out.reserve();
    const start = out.length;
    writeSlotBody(out, slot, state);
    out.patch(lengthAt, out.length - start);
    this.records++;
  }
}

/**
 * Writes every customer's windows for another thread, after the hours already spilled (when given).
 * Each customer is a record the reader can skip without reading it: its id, the length of the rest,
 * its hours with their flags, then its trunks and windows. A trailer ends the transfer (its position
 * is the last number, written in FIXED_BYTES so that it is found from the end): trunk mode, calls,
 * and how many hour and customer records there are.
 */
export function writeCustomers(
  customers: Map<string, CustomerWindows>,
  trunkMode: number,
  /** calls the windows hold: the importer's window limit grows with them as the exporter's did */
  calls: number,
  spill: HourSpill = new HourSpill(),
): { state: AggregatorTransfer; buffers: ArrayBuffer[] } {
  const out = spill.out;
  const str = out.str;
  for (const [customerId, s] of customers) {
    out.num(str(customerId));
    const lengthAt = out.reserve();
    const start = out.length;
    out.num(s.hours.size);
    s.hours.forEach(writeHourHead, out);
    const order = trunksInOrder(s);
    out.num(order.length);
    for (const t of order) out.num(str(t));
    writing.bodyState = s.idTableOf === spill ? s : null;
    s.hours.forEach(writeHourBody, out);
    out.num(s.trunks.size);
    for (const [trunkId, byHour] of s.trunks) {
      out.num(str(trunkId));
      out.num(byHour.size);
      for (const [hourIdx, w] of byHour) {
        out.num(hourIdx);
        out.num(w ? 1 : 0);
        if (w) writeWindow(w, out);
      }
    }
    out.patch(lengthAt, out.length - start);
  }
  const trailer = out.length;
  out.num(trunkMode);
  out.num(calls);
  out.num(spill.records);
  out.num(customers.size);
  out.fixed(trailer);
  const state = out.finish();
  return { state, buffers: bundleBuffers(state) };
}

/**
 * Where one customer's windows lie in a transfer, found without reading them: its spilled hours and
 * its record. mergePart builds them when they are wanted, as often as they are wanted.
 */
export interface CustomerPart {
  customerId: string;
  src: BinaryReader;
  /** position of the customer record's body */
  at: number;
  /**
   * positions of the customer's spilled hours in the order written, each where its record goes on
   * after the customer id (hour index, flags, length, slot). Small integers in one array per customer:
   * an object per hour, its numbers boxed, came to 120 bytes at half a million hours (20,000 customers).
   */
  spilled: number[];
}

/**
 * Reads a transfer's outline: the call count, then each customer's part in the order the customer
 * records were written. Records are skipped, not read.
 */
export function* readCustomers(
  state: AggregatorTransfer,
  trunkMode: number,
): Generator<{ calls: number } | { customer: string; part: CustomerPart }> {
  const src = new BinaryReader(state);
  src.seek(Math.max(0, src.length - FIXED_BYTES));
  src.seek(src.num());
  const mode = src.num();
  if (mode !== trunkMode)
    throw new RangeError(`cannot import windows kept with trunk mode ${mode} into trunk mode ${trunkMode}`);
  yield { calls: src.num() };
  const hourRecords = src.num();
  const customerRecords = src.num();
  src.num(); // the trailer's own position
  if (!src.done) throw new RangeError('binary windows carry numbers past their trailer');
  src.seek(0);
  // spilled hours by the number of their customer's id in the string table (an array, not a Map:
  // one lookup per hour record)
  const spilled: Array<number[] | undefined> = [];
  let spilledCustomers = 0;
  for (let h = hourRecords; h > 0; h--) {
    const id = src.num();
    const at = src.position;
    src.num(); // hour index
    src.num(); // flags
    const length = src.num();
    const hours = spilled[id];
    if (hours) hours.push(at);
    else {
      spilled[id] = [at];
      spilledCustomers++;
    }
    src.seek(src.position + length);
  }
  for (let c = customerRecords; c > 0; c--) {
    const id = src.num();
    const customerId = src.str(id);
    const length = src.num();
    const at = src.position;
    let hours = spilled[id];
    if (hours) {
      spilled[id] = undefined;
      spilledCustomers--;
    } else hours = [];
    yield { customer: customerId, part: { customerId, src, at, spilled: hours } };
    src.seek(at + length);
  }
  // a reader keeps every customer it saw, so each spilled hour has its customer's record
  if (spilledCustomers > 0)
    throw new RangeError(
      `binary windows spill hours of ${spilledCustomers} customer(s) with no record of their own`,
    );
}

/** How many hour records a part has: its spilled hours and the hours of its customer record. */
export function partRecords(part: CustomerPart): number {
  part.src.seek(part.at);
  return part.spilled.length + part.src.num();
}

/** What the owner of a merge hears: hours taken over as they are (a window more to count). */
export interface MergeHooks {
  taken: () => void;
}

/**
 * Merges one part of a customer read from another reader into `mine`: its spilled hours one by one
 * (one slot each, no trunk windows, so none of the bookkeeping a whole customer record needs; at
 * 20,000 customers a transfer holds half a million of them), then its record.
 */
export function mergePart(
  mine: CustomerWindows,
  part: CustomerPart,
  trunkMode: number,
  on: MergeHooks,
  /** windows only to be scored: their sets read their keys when wanted (readWindow) */
  countsOnly = false,
): void {
  const src = part.src;
  for (const at of part.spilled) {
    src.seek(at);
    const hourIdx = src.num();
    const flags = src.num();
    src.num(); // the length: the slot is read, not skipped
    const slot = readSlotBody(src, part.customerId, flags, countsOnly);
    mergeHour(mine, hourIdx, slot, trunkMode, on, null);
  }
  mergeCustomer(mine, readRecord(part, countsOnly), trunkMode, on);
}

/**
 * Merges a customer read from another reader into `mine`: hours `mine` lacks are taken over as
 * they are (`taken` hears of each), and shared hours merge.
 */
function mergeCustomer(mine: CustomerWindows, c: ImportedCustomer, trunkMode: number, on: MergeHooks): void {
  for (const t of c.trunkOrder) registerTrunk(mine, t);
  // hours this aggregator lacks are taken over as they are, in the order the sender kept them
  const fresh = new Set<number>();
  for (const h of c.hours) if (!mine.hours.has(h.hourIdx)) fresh.add(h.hourIdx);
  const toMerge = new Map<number, Map<string, WindowAggregate | null>>();
  for (const t of c.trunks) {
    const byHour = trunkHours(mine, t.trunkId);
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
  for (const { hourIdx, slot } of c.hours)
    mergeHour(mine, hourIdx, slot, trunkMode, on, toMerge.get(hourIdx) ?? null);
}

/** One hour of another reader's into `mine`: taken over when `mine` lacks it, else merged. */
function mergeHour(
  mine: CustomerWindows,
  hourIdx: number,
  slot: HourSlot,
  trunkMode: number,
  on: MergeHooks,
  /** the other reader's trunk windows of this hour */
  otherTrunks: Map<string, WindowAggregate | null> | null,
): void {
  const have = mine.hours.get(hourIdx);
  if (!have) {
    on.taken();
    mine.hours.set(hourIdx, slot);
  } else if (trunkMode === TRUNKS_CALLS) mergeTrunkCalls(have, slot);
  else mergeSlot(mine, hourIdx, have, slot, otherTrunks ?? new Map());
}

/** Merges another reader's slot of the same customer-hour into `have`, trunk windows included. */
export function mergeSlot(
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
    trunkHours(state, have.soleTrunk).set(hourIdx, copy);
  }
  have.split = true;
  mergeInto(have.w, other.w);
  for (const [trunk, w] of theirs) {
    const byHour = trunkHours(state, trunk);
    const mineW = byHour.get(hourIdx);
    if (mineW) mergeInto(mineW, w);
    else byHour.set(hourIdx, w);
  }
}

/** Merges another reader's slot of the same customer-hour into `have`, trunk calls included. */
export function mergeTrunkCalls(have: HourSlot, other: HourSlot): void {
  if (!have.split && !other.split && have.soleTrunk === other.soleTrunk) {
    mergeInto(have.w, other.w);
    return;
  }
  // both sides' calls per trunk, counted afresh in `have`
  const counts: Array<[string, number]> = [];
  for (const slot of [have, other]) {
    if (slot.trunkCount >= 0) forEachTrunkCall(slot, (t, n) => counts.push([t, n]));
    else if (slot.soleTrunk !== null) counts.push([slot.soleTrunk, slot.w.attempts]);
  }
  resetTrunkCalls(have, 0);
  for (const [t, n] of counts) addTrunkCalls(have, t, n);
  have.split = true;
  have.soleTrunk = null;
  mergeInto(have.w, other.w);
}

/** Builds the windows of a part's customer record (not its spilled hours), every time it is called. */
function readRecord(part: CustomerPart, countsOnly: boolean): ImportedCustomer {
  const src = part.src;
  src.seek(part.at);
  const flags: Array<{ hourIdx: number; flags: number }> = [];
  for (let h = src.num(); h > 0; h--) flags.push({ hourIdx: src.num(), flags: src.num() });
  const trunkOrder: string[] = [];
  for (let t = src.num(); t > 0; t--) trunkOrder.push(src.str(src.num()));
  const hours: ImportedCustomer['hours'] = flags.map(({ hourIdx, flags: f }) => ({
    hourIdx,
    slot: readSlotBody(src, part.customerId, f, countsOnly),
  }));
  const trunks: ImportedCustomer['trunks'] = [];
  for (let t = src.num(); t > 0; t--) {
    const trunkId = src.str(src.num());
    const byHour: Array<{ hourIdx: number; window: WindowAggregate | null }> = [];
    for (let h = src.num(); h > 0; h--) {
      const hourIdx = src.num();
      byHour.push({ hourIdx, window: src.num() === 1 ? readWindow(src, part.customerId, trunkId) : null });
    }
    trunks.push({ trunkId, hours: byHour });
  }
  return { customerId: part.customerId, trunkOrder, hours, trunks };
}
