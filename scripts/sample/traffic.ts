import type { Attestation, Outcome, Verstat } from './call.ts';
import { AREA_CODES_BY_ZONE, randomNumberInArea, ZONES, type Zone } from './nanp.ts';
import type { Random } from './random.ts';
import { localHour } from './time.ts';

export type Vetting = 'new' | 'standard' | 'trusted';
export type TrafficProfile = 'conversational' | 'call_center' | 'notifications' | 'dialer';

/** What one call looks like before the generator gives it an id, a switch, a trunk and timestamps. */
export interface CallDraft {
  calling: string;
  called: string;
  outcome: Outcome;
  attestation: Attestation;
  verstat: Verstat;
}

/** A single call placed on purpose (not drawn from the volume curve), e.g. the subject of a traceback. */
export interface ExactCall {
  startMs: number;
  draft: CallDraft;
  switchId: string;
  /** names the call so later steps (traceback requests, expected.json) can find it */
  tag: string;
}

/** How a customer sends traffic: how much in each UTC hour of the day, and what each call looks like. */
export interface Behaviour {
  /** mean calls in the UTC hour starting at hourStartMs, at scale 1 (hourOfDay is 0-23 UTC) */
  volume(hourOfDay: number, hourStartMs: number): number;
  call(random: Random, startMs: number): CallDraft;
  /** calls placed exactly, independent of scale, in addition to the drawn ones */
  exactCalls?(random: Random, hourOfDay: number, hourStartMs: number): ExactCall[];
}

export interface Trunk {
  id: string;
  sourceIp: string;
}

export interface Customer {
  id: string;
  name: string;
  onboardedAt: string;
  vetting: Vetting;
  profile: TrafficProfile;
  /** false for the few customers that send traffic but were never registered (treated as `new`) */
  inRegistry: boolean;
  homeZone: Zone;
  /** numbers.csv entries: E.164 numbers or prefixes ending in `*` */
  inventory: string[];
  trunks: Trunk[];
  /** switches this customer's traffic enters through, with relative weights */
  switches: Array<{ id: string; weight: number }>;
  behaviour: Behaviour;
}

/** Relative call volume by local hour of day: quiet at night, busy office hours (sums to 1). */
const DIURNAL_RAW = [
  0.1, 0.06, 0.04, 0.03, 0.03, 0.05, 0.15, 0.35, 0.7, 0.95, 1, 1, 0.95, 0.95, 1, 0.95, 0.9, 0.8, 0.6, 0.45,
  0.35, 0.28, 0.2, 0.14,
];
const DIURNAL_SUM = DIURNAL_RAW.reduce((a, b) => a + b, 0);
export const DIURNAL = DIURNAL_RAW.map((w) => w / DIURNAL_SUM);

/** Share of a day's calls that fall in the UTC hour starting at hourStartMs, for a customer based in `zone`. */
export function diurnalShare(zone: Zone, hourStartMs: number): number {
  return DIURNAL[localHour(zone, hourStartMs)];
}

/** Inside the TCPA calling window at the called party: 08:00-20:59 local (47 CFR 64.1200(c)(1)). */
export const DAYTIME = (hour: number) => hour >= 8 && hour <= 20;
/** Night at the called party: 22:00-05:59 local. */
export const NIGHT = (hour: number) => hour >= 22 || hour < 6;

/**
 * A called number whose local hour at `startMs` satisfies `wanted`, drawn from the given zones. Used to
 * put planted traffic inside or outside calling hours where the called party lives, not in UTC.
 * Falls back to any of the zones when none qualifies at that instant.
 */
export function calledAtLocalHour(
  random: Random,
  startMs: number,
  wanted: (hour: number) => boolean,
  zones: readonly Zone[] = ZONES,
): string {
  const fitting = zones.filter((zone) => wanted(localHour(zone, startMs)));
  const zone = random.pick(fitting.length > 0 ? fitting : zones);
  return randomNumberInArea(random, random.pick(AREA_CODES_BY_ZONE[zone]));
}

export interface AttestationMix {
  A: number;
  B: number;
  C: number;
  unsigned: number;
}

const ATTESTATIONS: readonly Attestation[] = ['A', 'B', 'C', ''];

/** Draws an attestation from the mix, with the verstat a terminating verifier would report for it. */
export function drawSignature(
  random: Random,
  mix: AttestationMix,
): { attestation: Attestation; verstat: Verstat } {
  const attestation = random.weighted(ATTESTATIONS, [mix.A, mix.B, mix.C, mix.unsigned]);
  if (attestation === '') return { attestation, verstat: random.chance(0.8) ? 'No-TN-Validation' : '' };
  return { attestation, verstat: random.chance(0.995) ? 'TN-Validation-Passed' : 'TN-Validation-Failed' };
}

/** True when the UTC hour lies in [from, to), wrapping past midnight when from > to (e.g. 16 to 4). */
export function inHours(hourOfDay: number, from: number, to: number): boolean {
  return from <= to ? hourOfDay >= from && hourOfDay < to : hourOfDay >= from || hourOfDay < to;
}

/** Volume function: `perHour` in UTC hours [from, to) (wrapping past midnight), `outside` elsewhere. */
export function activeHours(from: number, to: number, perHour: number, outside = 0) {
  return (hourOfDay: number) => (inHours(hourOfDay, from, to) ? perHour : outside);
}
