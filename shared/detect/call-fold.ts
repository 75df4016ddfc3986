import { isInvalidCallingClass } from '../cdr/nanp.ts';
import type { PackedCall } from '../cdr/packed-call.ts';
import { HOUR_MS, ZoneClock } from '../cdr/time.ts';
import { type CallFacts, DEST_ON_NET, DEST_PSTN } from './call-facts.ts';
import { ZONE_GROUPS } from './npa-zones.ts';
import { keyHigh, keyLow } from './number-set.ts';
import { FEDERAL_CALLING_HOURS } from './state-calling-hours.ts';
import { DURATION_BUCKETS_S, type WindowAggregate } from './window.ts';

const SHORT_CALL_S = 6;

/** 1 or 0: a counter's step, taken without a branch (see CallFolder.fold) */
function one(condition: boolean): number {
  return condition ? 1 : 0;
}

function bucketOf(durationS: number): number {
  for (let i = 0; i < DURATION_BUCKETS_S.length; i++) if (durationS < DURATION_BUCKETS_S[i]) return i;
  return DURATION_BUCKETS_S.length;
}

/**
 * Folds one call and its facts into a window's counters and sets. The per-call work is all counters
 * and hashed keys; no Date objects: calling hours come from a per-zone, per-UTC-hour cache.
 */
export class CallFolder {
  /** created on first use: building an Intl formatter costs milliseconds */
  private readonly clocks: Array<ZoneClock[] | undefined> = [];
  /** per zone: the UTC hour of the last offset looked up, and what zoneHour derived from it */
  private readonly zoneBucket = new Float64Array(ZONE_GROUPS.length).fill(Number.NaN);
  private readonly zoneSwitchMs = new Float64Array(ZONE_GROUPS.length);
  private readonly zoneOutsideA = new Uint8Array(ZONE_GROUPS.length);
  private readonly zoneOutsideB = new Uint8Array(ZONE_GROUPS.length);
  /** the same, against the called party's state hours where they are stricter */
  private readonly stateOutsideA = new Uint8Array(ZONE_GROUPS.length);
  private readonly stateOutsideB = new Uint8Array(ZONE_GROUPS.length);

  fold(w: WindowAggregate, p: PackedCall, f: CallFacts): void {
    if (f.destination !== DEST_PSTN) {
      // on-net and emergency calls are counted, and nothing else: robocall rules judge PSTN calls
      if (f.destination === DEST_ON_NET) w.onNet++;
      else w.emergency++;
      return;
    }
    w.attempts++;
    // the first and last PSTN call: what the block of a suspended customer is judged by (an emergency
    // call, never blocked, must not hide the calls after it, nor stand for one)
    const ms = p.startMs;
    if (ms < w.firstMs) w.firstMs = ms;
    if (ms > w.lastMs) w.lastMs = ms;
    // Counters are added to without branches (`one(...)` is 0 or 1): a counter behind a branch the
    // first rows never take has no type feedback when the fold is optimized, and the first row that
    // takes it threw the optimized fold away, with the reader's loop it was inlined into, to be
    // compiled again (measured: the first neighbour-spoofed caller and the first calls outside
    // calling hours, hours into a batch, three times a thread; a rare SIP code would do the same).
    const answered = one(p.answered);
    // the call's billable seconds, 0 when unanswered: what a call outside calling hours adds below
    const billedS = answered * p.durationS;
    if (p.answered) {
      w.answered++;
      w.durationSum += p.durationS;
      w.durationSquares += p.durationS * p.durationS;
      w.shortAnswered += one(p.durationS < SHORT_CALL_S);
      w.durationHist[bucketOf(p.durationS)]++;
    }
    const sip = p.sipCode;
    w.rej403 += one(sip === 403);
    w.rej603 += one(sip === 603);
    w.rej607 += one(sip === 607);
    w.rej608 += one(sip === 608);
    const cls = p.callingClass;
    const blank = cls === 'blank';
    w.callingBlank += one(blank);
    if (!blank) {
      // keys go in split (see KEY_SPLIT): passed whole, each was boxed in a new heap number
      const ck = p.callingKey;
      const chi = keyHigh(ck);
      w.calling.addParts(chi, keyLow(ck, chi));
      w.pairs.addParts(f.pairHi, f.pairLo);
      // a caller ID the customer holds (inventory or declared) is no spoof: a user calling its own
      // number checks its voicemail, a small town's business calls its own exchange all day
      const own = f.inventory === 1;
      w.callingEqualsCalled += one(f.callingEqualsCalled && !own);
      w.neighborNpaNxx += one(!f.callingEqualsCalled && f.neighborNpaNxx && !own);
      const invalid = isInvalidCallingClass(cls);
      // reserved fictitious numbers (555-01XX) are invalid caller IDs too; the count of them also
      // feeds the share rule that names them
      w.callingFictitious += one(cls === 'fictitious');
      w.callingInvalid += one(invalid);
      w.callingTollFree += one(!invalid && cls === 'toll_free');
      w.callingDno += one(f.dno);
      w.callingChecked += one(f.inventory !== 0);
      w.callingOutsideInventory += one(f.inventory === 2);
      w.callingOtherCustomer += one(f.otherHolder >= 0);
      w.declaredCallingChecked += one(f.declaredCalling !== 0);
      w.callingUndeclared += one(f.declaredCalling === 2);
    }
    w.sourceChecked += one(f.declaredSource !== 0);
    w.sourceUndeclared += one(f.declaredSource === 2);
    const dk = p.calledKey;
    const dhi = keyHigh(dk);
    w.called.addParts(dhi, keyLow(dk, dhi));
    const att = p.attestation;
    const attA = att === 'A';
    const a = one(attA);
    const b = one(att === 'B');
    const c = one(att === 'C');
    const unreported = one(att === '?');
    w.attA += a;
    w.attB += b;
    w.attC += c;
    w.attUnreported += unreported;
    // every call has one attestation count: none is what is left
    w.attNone += 1 - a - b - c - unreported;
    // the inventory check covers every call with a caller ID; A-attested ones are also kept apart
    w.aChecked += one(attA && f.inventory !== 0);
    w.aOutsideInventory += one(attA && f.inventory === 2);
    const ver = p.verstat;
    w.verPassed += one(ver === 'TN-Validation-Passed');
    w.verFailed += one(ver === 'TN-Validation-Failed');
    w.verNone += one(ver === 'No-TN-Validation');
    const zone = f.zone;
    if (zone >= 0) {
      if (this.zoneBucket[zone] !== p.hourIdx) this.zoneHour(zone, p.hourIdx, ms);
      w.hoursKnown++;
      const early = ms < this.zoneSwitchMs[zone];
      const outside = early ? this.zoneOutsideA[zone] : this.zoneOutsideB[zone];
      const outsideState = early ? this.stateOutsideA[zone] : this.stateOutsideB[zone];
      w.outsideHours += outside;
      w.outsideStateHours += outsideState;
      // both sets answered and their seconds: the policy's `stateHours` picks one when scoring
      w.outsideHoursAnswered += outside * answered;
      w.outsideHoursDurationSum += outside * billedS;
      w.outsideStateHoursAnswered += outsideState * answered;
      w.outsideStateHoursDurationSum += outsideState * billedS;
    }
  }

  /**
   * Caches, for one zone and one UTC hour, whether calls in it fall outside calling hours at the called
   * party: the zone's offset is one per UTC hour (ZoneClock.offsetAt looks it up per hour), so local
   * time within the hour is ms + offset, whose local hour changes at most once, at zoneSwitchMs
   * (never, for the whole-hour offsets of most zones). Calls then need one comparison, no division.
   */
  private zoneHour(zone: number, hourIdx: number, ms: number): void {
    const group = ZONE_GROUPS[zone];
    let clocks = this.clocks[zone];
    if (!clocks) {
      clocks = group.zones.map((name) => new ZoneClock(name));
      this.clocks[zone] = clocks;
    }
    const { start, end } = FEDERAL_CALLING_HOURS;
    const outside = (h: number) => (h < start || h >= end ? 1 : 0);
    const outsideState = (h: number) => (h < group.stateStart || h >= group.stateEnd ? 1 : 0);
    // an area code spanning two zones is outside hours when either zone is; their offsets differ by
    // whole hours, so both change local hour at the same instant
    let outsideA = 0;
    let outsideB = 0;
    let stateA = 0;
    let stateB = 0;
    for (const clock of clocks) {
      const offset = clock.offsetAt(ms);
      const localHour = Math.floor((hourIdx * HOUR_MS + offset) / HOUR_MS);
      // hour of the local day: a day is 24 whole hours, so the local hour count modulo 24 is the same
      // as the hour of the time of day
      const h = ((localHour % 24) + 24) % 24;
      const next = (h + 1) % 24;
      this.zoneSwitchMs[zone] = (localHour + 1) * HOUR_MS - offset;
      outsideA |= outside(h);
      outsideB |= outside(next);
      stateA |= outsideState(h);
      stateB |= outsideState(next);
    }
    this.zoneBucket[zone] = hourIdx;
    this.zoneOutsideA[zone] = outsideA;
    this.zoneOutsideB[zone] = outsideB;
    this.stateOutsideA[zone] = stateA;
    this.stateOutsideB[zone] = stateB;
  }
}
