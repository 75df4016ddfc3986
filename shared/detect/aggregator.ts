import { isInvalidCallingClass } from '../cdr/nanp.ts';
import type { CallRecord } from '../cdr/record.ts';
import { HOUR_MS, hourStart, ZoneClock } from '../cdr/time.ts';
import { numberKey, pairKey } from './distinct.ts';
import { zoneOfNumber } from './npa-zones.ts';
import type { ReferenceData } from './reference.ts';
import { DURATION_BUCKETS_S, emptyWindow, type WindowAggregate } from './window.ts';

export const SHORT_CALL_S = 6;
const CALLING_HOURS_START = 8;
const CALLING_HOURS_END = 21;

export interface AggregatorOptions {
  /** distinct counters stay exact up to this many keys, then switch to HyperLogLog */
  exactLimit?: number;
  /** also keep per (customer, trunk, hour) windows */
  trunkWindows?: boolean;
}

interface CustomerWindows {
  hours: Map<number, WindowAggregate>;
  trunks: Map<string, Map<number, WindowAggregate>>;
}

function bucketOf(durationS: number): number {
  for (let i = 0; i < DURATION_BUCKETS_S.length; i++) if (durationS < DURATION_BUCKETS_S[i]) return i;
  return DURATION_BUCKETS_S.length;
}

/**
 * Folds call records into per (customer, hour) and per (customer, trunk, hour) windows.
 * The per-call work is all counters and hashed keys; no Date objects on the hot path.
 */
export class Aggregator {
  private readonly ref: ReferenceData;
  private readonly limit: number;
  private readonly trunkWindows: boolean;
  private readonly customers = new Map<string, CustomerWindows>();
  private readonly zoneClocks = new Map<string, ZoneClock>();
  private lastCustomer = '';
  private lastState: CustomerWindows | null = null;

  constructor(ref: ReferenceData, opts: AggregatorOptions = {}) {
    this.ref = ref;
    this.limit = opts.exactLimit ?? Number.POSITIVE_INFINITY;
    this.trunkWindows = opts.trunkWindows ?? true;
  }

  add(r: CallRecord): void {
    let state = this.lastState;
    if (r.customerId !== this.lastCustomer || state === null) {
      state = this.customers.get(r.customerId) ?? null;
      if (!state) {
        state = { hours: new Map(), trunks: new Map() };
        this.customers.set(r.customerId, state);
      }
      this.lastCustomer = r.customerId;
      this.lastState = state;
    }
    const hour = hourStart(r.startMs);
    // small-integer hour index: Map lookups on SMIs are far cheaper than on boxed millisecond values
    const hourIdx = hour / HOUR_MS;
    let w = state.hours.get(hourIdx);
    if (!w) {
      w = emptyWindow(r.customerId, '', hour, this.limit);
      state.hours.set(hourIdx, w);
    }
    const callingKey = r.callingClass === 'blank' ? -1 : numberKey(r.calling);
    const calledKey = numberKey(r.called);
    this.fold(w, r, callingKey, calledKey);
    if (this.trunkWindows && r.trunkId !== '') {
      let byHour = state.trunks.get(r.trunkId);
      if (!byHour) {
        byHour = new Map();
        state.trunks.set(r.trunkId, byHour);
      }
      let tw = byHour.get(hourIdx);
      if (!tw) {
        tw = emptyWindow(r.customerId, r.trunkId, hour, this.limit);
        byHour.set(hourIdx, tw);
      }
      this.fold(tw, r, callingKey, calledKey);
    }
  }

  private fold(w: WindowAggregate, r: CallRecord, callingKey: number, calledKey: number): void {
    w.attempts++;
    if (r.startMs < w.firstMs) w.firstMs = r.startMs;
    if (r.startMs > w.lastMs) w.lastMs = r.startMs;
    if (r.answered) {
      w.answered++;
      w.durationSum += r.durationS;
      if (r.durationS < SHORT_CALL_S) w.shortAnswered++;
      w.durationHist[bucketOf(r.durationS)]++;
    }
    switch (r.sipCode) {
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
    const cls = r.callingClass;
    if (cls === 'blank') w.callingBlank++;
    else {
      w.calling.add(callingKey);
      w.pairs.add(pairKey(callingKey, calledKey));
      if (r.calling === r.called) w.callingEqualsCalled++;
      else if (
        r.calling.length === 12 &&
        r.called.length === 12 &&
        r.calling.startsWith('+1') &&
        r.called.startsWith('+1') &&
        r.calling.slice(0, 8) === r.called.slice(0, 8)
      ) {
        w.neighborNpaNxx++;
      }
      if (isInvalidCallingClass(cls)) {
        if (cls === 'fictitious') w.callingFictitious++;
        else w.callingInvalid++;
      } else if (cls === 'toll_free') w.callingTollFree++;
      if (this.ref.dno.has(r.calling)) w.callingDno++;
    }
    w.called.add(calledKey);
    switch (r.attestation) {
      case 'A':
        w.attA++;
        if (cls !== 'blank' && this.ref.inventory.hasCustomer(r.customerId)) {
          w.aChecked++;
          if (!this.ref.inventory.owns(r.customerId, r.calling)) w.aOutsideInventory++;
        }
        break;
      case 'B':
        w.attB++;
        break;
      case 'C':
        w.attC++;
        break;
      default:
        w.attNone++;
    }
    if (r.verstat === 'TN-Validation-Passed') w.verPassed++;
    else if (r.verstat === 'TN-Validation-Failed') w.verFailed++;
    else if (r.verstat === 'No-TN-Validation') w.verNone++;
    const zone = zoneOfNumber(r.called);
    if (zone !== null) {
      let clock = this.zoneClocks.get(zone);
      if (!clock) {
        clock = new ZoneClock(zone);
        this.zoneClocks.set(zone, clock);
      }
      const local = r.startMs + clock.offsetAt(r.startMs);
      const h = Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / HOUR_MS);
      w.hoursKnown++;
      if (h < CALLING_HOURS_START || h >= CALLING_HOURS_END) w.outsideHours++;
    }
  }

  /** All customer-level windows, then all trunk-level windows. */
  *windows(): Generator<WindowAggregate> {
    for (const s of this.customers.values()) yield* s.hours.values();
    for (const s of this.customers.values()) for (const t of s.trunks.values()) yield* t.values();
  }

  customerWindows(): Map<string, WindowAggregate[]> {
    const out = new Map<string, WindowAggregate[]>();
    for (const [id, s] of this.customers)
      out.set(
        id,
        [...s.hours.values()].sort((a, b) => a.hourMs - b.hourMs),
      );
    return out;
  }

  trunkWindowsOf(customerId: string): WindowAggregate[] {
    const s = this.customers.get(customerId);
    if (!s) return [];
    return [...s.trunks.values()].flatMap((m) => [...m.values()]);
  }
}
