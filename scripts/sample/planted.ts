import {
  type Attestation,
  conversationalDuration,
  drawOutcome,
  type OutcomeModel,
  type Verstat,
} from './call.ts';
import type { DnoList } from './dno.ts';
import {
  blockPlan,
  companyName,
  legitBehaviour,
  listPlan,
  type NumberPlan,
  OWN_NUMBERS_MIX,
  profileModel,
  trunksFor,
} from './legit.ts';
import {
  EAST,
  neighbourOf,
  randomInvalidCallerId,
  randomNumber,
  randomNumberInZone,
  WEST,
  type Zone,
} from './nanp.ts';
import { createRandom, deriveSeed, type Random } from './random.ts';
import { ASTERISK_SWITCH, GW_WHOLESALE, SBC_CENTRAL, SBC_EAST, SBC_WEST } from './switches.ts';
import { localHour } from './time.ts';
import {
  activeHours,
  type Behaviour,
  type CallDraft,
  type Customer,
  calledAtLocalHour,
  DAYTIME,
  DIURNAL,
  drawSignature,
  type ExactCall,
  inHours,
  NIGHT,
  type TrafficProfile,
  type Vetting,
} from './traffic.ts';

/** Reason codes of docs/findings.md, plus REPEAT_CALLS (targeted pumping, domain-notes 1.2 #16). */
export const REASON_CODES = [
  'SHORT_CALL_RATIO',
  'LOW_ASR',
  'LOW_ACD',
  'REJECTION_RATIO',
  'VOLUME_SPIKE',
  'HIGH_FANOUT',
  'ANI_ROTATION',
  'NEIGHBOR_SPOOFING',
  'CALLING_EQUALS_CALLED',
  'INVALID_CALLING_NUMBER',
  'DNO_CALLING_NUMBER',
  'UNSIGNED_OR_GATEWAY_ATTESTATION',
  'ATTESTATION_MISMATCH',
  'OUTSIDE_CALLING_HOURS',
  'REPEAT_CALLS',
  'TRACEBACK_HISTORY',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Reference inputs a planted signal can only be seen with (`traceguard analyze --customers/--numbers/--dno`). */
export type NeededInput = 'customers' | 'numbers' | 'dno' | 'tracebacks';

/** One entry of expected.json `planted`: what the detector must and must not say about a customer. */
export interface ExpectedCustomer {
  customer_id: string;
  kind: 'abuse' | 'lookalike';
  signal: string;
  description: string;
  expect_codes: ReasonCode[];
  forbid_codes: ReasonCode[];
  needs: NeededInput[];
  /** UTC hours [from, to) in which the signature is present, e.g. `16-22` */
  active_hours_utc: string;
}

export interface Planted {
  customer: Customer;
  expected: ExpectedCustomer;
}

/** Abuse runs mid-day UTC: 11:00-16:59 in New York, 08:00-13:59 in Los Angeles, inside calling hours everywhere. */
const FROM = 16;
const TO = 22;
const WINDOW = `${FROM}-${TO}`;

/** Hard, per-call signals that the abuse customers other than their own signature never show. */
const CLEAN_HARD: ReasonCode[] = ['DNO_CALLING_NUMBER', 'INVALID_CALLING_NUMBER', 'CALLING_EQUALS_CALLED'];

const verstatFor = (attestation: Attestation): Verstat =>
  attestation === '' ? 'No-TN-Validation' : 'TN-Validation-Passed';
const signed = (attestation: Attestation) => ({ attestation, verstat: verstatFor(attestation) });
const daytimeCalled = (random: Random, startMs: number) => calledAtLocalHour(random, startMs, DAYTIME);

/** A behaviour active in the abuse window with a fixed hourly volume. */
function windowed(perHour: number, call: (random: Random, startMs: number) => CallDraft): Behaviour {
  return { volume: activeHours(FROM, TO, perHour), call };
}

function ownNumberCall(random: Random, startMs: number, plan: NumberPlan, model: OutcomeModel): CallDraft {
  return {
    calling: random.pick(plan.pool),
    called: daytimeCalled(random, startMs),
    outcome: drawOutcome(random, model),
    ...drawSignature(random, OWN_NUMBERS_MIX),
  };
}

interface PlantSpec {
  index: number;
  kind: 'abuse' | 'lookalike';
  signal: string;
  description: string;
  vetting: Vetting;
  profile: TrafficProfile;
  inRegistry?: boolean;
  zone: Zone;
  switches: Customer['switches'];
  /** the numbers the customer declared (numbers.csv) and calls from when it uses its own numbers */
  plan(random: Random): NumberPlan;
  behaviour(random: Random, plan: NumberPlan): Behaviour;
  expect: ReasonCode[];
  forbid: ReasonCode[];
  needs?: NeededInput[];
  hours: string;
}

function plant(seed: number, dayStartMs: number, spec: PlantSpec): Planted {
  const id = `C${spec.index}`;
  const random = createRandom(deriveSeed(seed, 'planted', id));
  const plan = spec.plan(random);
  const daysAgo = spec.vetting === 'new' ? random.int(3, 25) : random.int(200, 2000);
  const inRegistry = spec.inRegistry ?? true;
  const customer: Customer = {
    id,
    name: companyName(random),
    onboardedAt: new Date(dayStartMs - daysAgo * 86_400_000).toISOString().slice(0, 10),
    vetting: spec.vetting,
    profile: spec.profile,
    inRegistry,
    homeZone: spec.zone,
    inventory: inRegistry ? plan.inventory : [],
    trunks: trunksFor(random, spec.index, random.int(1, 2)),
    switches: spec.switches,
    behaviour: spec.behaviour(random, plan),
  };
  const needs = new Set<NeededInput>(spec.needs ?? []);
  if (spec.forbid.includes('ATTESTATION_MISMATCH') || spec.expect.includes('ATTESTATION_MISMATCH'))
    needs.add('numbers');
  if (spec.forbid.includes('DNO_CALLING_NUMBER') || spec.expect.includes('DNO_CALLING_NUMBER'))
    needs.add('dno');
  return {
    customer,
    expected: {
      customer_id: id,
      kind: spec.kind,
      signal: spec.signal,
      description: spec.description,
      expect_codes: spec.expect,
      forbid_codes: spec.forbid,
      needs: [...needs].sort(),
      active_hours_utc: spec.hours,
    },
  };
}

const on = (id: string) => [{ id, weight: 1 }];

/** Traceback subjects: one exact call per (hour, switch), so each request has exactly one answer. */
export const TRACEBACK_CALLS: ReadonlyArray<{ hour: number; switchId: string; tag: string }> = [
  { hour: 15, switchId: SBC_EAST.id, tag: 'traceback:sbc-east-1' },
  { hour: 17, switchId: SBC_WEST.id, tag: 'traceback:sbc-west-1' },
  { hour: 19, switchId: GW_WHOLESALE.id, tag: 'traceback:gw-wholesale-1' },
  { hour: 20, switchId: ASTERISK_SWITCH, tag: 'traceback:pbx-asterisk-1' },
];

/** Hours at which C915, an otherwise clean customer, sends exactly one call from a DNO number. */
const FEW_DNO_HOURS = [15, 18, 20];

export function plantedCustomers(seed: number, dayStartMs: number, dno: DnoList): Planted[] {
  const specs: PlantSpec[] = [
    {
      index: 901,
      kind: 'abuse',
      signal: '1. short-duration calls',
      description: 'Dialer: about 300 calls/hour, ASR about 60%, 75% of answered calls last under 6 s.',
      vetting: 'standard',
      profile: 'dialer',
      zone: EAST,
      switches: on(SBC_EAST.id),
      plan: (r) => blockPlan(r, EAST, 40),
      behaviour: (_r, plan) =>
        windowed(300, (random, startMs) =>
          ownNumberCall(random, startMs, plan, {
            asr: 0.6,
            duration: (r) => (r.chance(0.75) ? r.int(1, 5) : r.logNormal(50, 0.6)),
          }),
        ),
      expect: ['SHORT_CALL_RATIO'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH', 'ANI_ROTATION', 'HIGH_FANOUT'],
      hours: WINDOW,
    },
    {
      index: 902,
      kind: 'abuse',
      signal: '2. low ASR and rejections',
      description: 'About 250 calls/hour, ASR about 10%, 55% of attempts end 603/607/608/403.',
      vetting: 'standard',
      profile: 'conversational',
      zone: 'America/Chicago',
      switches: on(SBC_CENTRAL.id),
      plan: (r) => blockPlan(r, 'America/Chicago', 60),
      behaviour: (_r, plan) =>
        windowed(250, (random, startMs) =>
          ownNumberCall(random, startMs, plan, {
            asr: 0.1,
            rejectionShare: 0.55,
            duration: (r) => r.logNormal(40, 0.7),
          }),
        ),
      expect: ['LOW_ASR', 'REJECTION_RATIO'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH', 'ANI_ROTATION'],
      hours: WINDOW,
    },
    {
      index: 903,
      kind: 'abuse',
      signal: '3. ANI rotation (snowshoeing)',
      description:
        'About 500 calls/hour, each from a caller ID never seen before (30% reused once), B-attested; thousands of distinct calling numbers over the window.',
      vetting: 'new',
      profile: 'conversational',
      zone: WEST,
      switches: on(SBC_WEST.id),
      plan: (r) => listPlan(r, WEST, 3),
      behaviour: () => {
        let previous = '';
        return windowed(500, (random, startMs) => {
          const calling = previous !== '' && random.chance(0.3) ? previous : randomNumber(random);
          previous = calling === previous ? '' : calling;
          return {
            calling,
            called: daytimeCalled(random, startMs),
            outcome: drawOutcome(random, { asr: 0.5, duration: (r) => r.logNormal(60, 0.7) }),
            ...signed(random.chance(0.95) ? 'B' : 'C'),
          };
        });
      },
      expect: ['ANI_ROTATION'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH'],
      hours: WINDOW,
    },
    {
      index: 904,
      kind: 'abuse',
      signal: '4. neighbour spoofing',
      description:
        "About 280 calls/hour; 80% show a caller ID in the called party's own NPA-NXX (B-attested).",
      vetting: 'standard',
      profile: 'dialer',
      zone: EAST,
      switches: on(GW_WHOLESALE.id),
      plan: (r) => blockPlan(r, EAST, 30),
      behaviour: (_r, plan) =>
        windowed(280, (random, startMs) => {
          const model = { asr: 0.45, duration: (r: Random) => r.logNormal(45, 0.7) };
          if (!random.chance(0.8)) return ownNumberCall(random, startMs, plan, model);
          const called = daytimeCalled(random, startMs);
          return {
            calling: neighbourOf(random, called),
            called,
            outcome: drawOutcome(random, model),
            ...signed('B'),
          };
        }),
      expect: ['NEIGHBOR_SPOOFING'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH'],
      hours: WINDOW,
    },
    {
      index: 905,
      kind: 'abuse',
      signal: '5. caller ID equals called number',
      description: 'About 250 calls/hour; 55% present the called number itself as caller ID (B-attested).',
      vetting: 'new',
      profile: 'conversational',
      zone: EAST,
      switches: on(SBC_EAST.id),
      plan: (r) => listPlan(r, EAST, 6),
      behaviour: (_r, plan) =>
        windowed(250, (random, startMs) => {
          const model = { asr: 0.5, duration: (r: Random) => r.logNormal(50, 0.7) };
          if (!random.chance(0.55)) return ownNumberCall(random, startMs, plan, model);
          const called = daytimeCalled(random, startMs);
          return { calling: called, called, outcome: drawOutcome(random, model), ...signed('B') };
        }),
      expect: ['CALLING_EQUALS_CALLED'],
      forbid: [
        'DNO_CALLING_NUMBER',
        'INVALID_CALLING_NUMBER',
        'OUTSIDE_CALLING_HOURS',
        'ATTESTATION_MISMATCH',
      ],
      hours: WINDOW,
    },
    {
      index: 906,
      kind: 'abuse',
      signal: '6. invalid caller IDs',
      description:
        'About 250 calls/hour; 70% carry caller IDs that cannot exist: N9X and 37X area codes, 555-01XX, 7 digits, letters.',
      vetting: 'standard',
      profile: 'dialer',
      zone: 'America/Chicago',
      switches: on(SBC_CENTRAL.id),
      plan: (r) => blockPlan(r, 'America/Chicago', 25),
      behaviour: (_r, plan) =>
        windowed(250, (random, startMs) => {
          const model = { asr: 0.45, duration: (r: Random) => r.logNormal(40, 0.8) };
          if (!random.chance(0.7)) return ownNumberCall(random, startMs, plan, model);
          return {
            calling: randomInvalidCallerId(random).text,
            called: daytimeCalled(random, startMs),
            outcome: drawOutcome(random, model),
            ...signed(random.chance(0.5) ? 'B' : ''),
          };
        }),
      expect: ['INVALID_CALLING_NUMBER'],
      forbid: [
        'DNO_CALLING_NUMBER',
        'CALLING_EQUALS_CALLED',
        'OUTSIDE_CALLING_HOURS',
        'ATTESTATION_MISMATCH',
      ],
      hours: WINDOW,
    },
    {
      index: 907,
      kind: 'abuse',
      signal: '7. Do-Not-Originate caller IDs',
      description:
        'About 220 calls/hour; 40% use one of 20 inbound-only government numbers on dno.txt as caller ID.',
      vetting: 'standard',
      profile: 'conversational',
      zone: WEST,
      switches: on(SBC_WEST.id),
      plan: (r) => blockPlan(r, WEST, 30),
      behaviour: (_r, plan) =>
        windowed(220, (random, startMs) => {
          const model = { asr: 0.5, duration: conversationalDuration };
          if (!random.chance(0.4)) return ownNumberCall(random, startMs, plan, model);
          return {
            calling: random.pick(dno.usedByAbuse),
            called: daytimeCalled(random, startMs),
            outcome: drawOutcome(random, model),
            ...signed('B'),
          };
        }),
      expect: ['DNO_CALLING_NUMBER'],
      forbid: [
        'INVALID_CALLING_NUMBER',
        'CALLING_EQUALS_CALLED',
        'OUTSIDE_CALLING_HOURS',
        'ATTESTATION_MISMATCH',
      ],
      hours: WINDOW,
    },
    {
      index: 908,
      kind: 'abuse',
      signal: '8. unsigned or gateway attestation',
      description:
        'New customer, about 300 calls/hour; 95% C-attested or unsigned, verstat No-TN-Validation.',
      vetting: 'new',
      profile: 'conversational',
      zone: EAST,
      switches: on(GW_WHOLESALE.id),
      plan: (r) => listPlan(r, EAST, 8),
      behaviour: (_r, plan) =>
        windowed(300, (random, startMs) => {
          const attestation = random.weighted<Attestation>(['A', 'B', 'C', ''], [2, 3, 55, 40]);
          return {
            calling: random.pick(plan.pool),
            called: daytimeCalled(random, startMs),
            outcome: drawOutcome(random, { asr: 0.45, duration: (r) => r.logNormal(60, 0.8) }),
            attestation,
            verstat: attestation === 'A' || attestation === 'B' ? 'TN-Validation-Passed' : 'No-TN-Validation',
          };
        }),
      expect: ['UNSIGNED_OR_GATEWAY_ATTESTATION'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH'],
      needs: ['customers'],
      hours: WINDOW,
    },
    {
      index: 909,
      kind: 'abuse',
      signal: '9. A-attestation on numbers the customer does not hold',
      description:
        "About 250 calls/hour, all A-attested; 80% from 50 stable numbers that are not in the customer's inventory in numbers.csv.",
      vetting: 'standard',
      profile: 'call_center',
      zone: 'America/Chicago',
      switches: on(SBC_EAST.id),
      plan: (r) => blockPlan(r, 'America/Chicago', 30),
      behaviour: (random, plan) => {
        const foreign = Array.from({ length: 50 }, () => randomNumberInZone(random, 'America/Chicago'));
        return windowed(250, (r, startMs) => ({
          calling: r.chance(0.8) ? r.pick(foreign) : r.pick(plan.pool),
          called: daytimeCalled(r, startMs),
          outcome: drawOutcome(r, { asr: 0.45, duration: (x) => x.logNormal(70, 0.7) }),
          ...signed('A'),
        }));
      },
      expect: ['ATTESTATION_MISMATCH'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'UNSIGNED_OR_GATEWAY_ATTESTATION', 'ANI_ROTATION'],
      hours: WINDOW,
    },
    {
      index: 910,
      kind: 'abuse',
      signal: '10. calls outside calling hours',
      description:
        'Dialer, about 250 calls/hour 03:00-13:59 UTC, all reaching the called party between 22:00 and 05:59 local: New York numbers 03-10 UTC, Los Angeles numbers 06-13 UTC (08-13 UTC looks like daytime if you forget the offset).',
      vetting: 'standard',
      profile: 'dialer',
      zone: EAST,
      switches: on(SBC_WEST.id),
      plan: (r) => blockPlan(r, EAST, 40),
      behaviour: (_r, plan) => ({
        volume: activeHours(3, 14, 250),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: calledAtLocalHour(random, startMs, NIGHT, [EAST, WEST]),
          outcome: drawOutcome(random, profileModel(random, 'dialer')),
          ...signed('A'),
        }),
      }),
      expect: ['OUTSIDE_CALLING_HOURS'],
      forbid: [...CLEAN_HARD, 'ATTESTATION_MISMATCH', 'UNSIGNED_OR_GATEWAY_ATTESTATION'],
      hours: '3-14',
    },
    {
      index: 911,
      kind: 'abuse',
      signal: '11. volume spike',
      description:
        'Conversational customer at about 20 calls/hour 13:00-02:59 UTC, then about 600 calls/hour (30x) at 18:00-19:59 UTC with the same call profile.',
      vetting: 'standard',
      profile: 'conversational',
      zone: EAST,
      switches: on(SBC_CENTRAL.id),
      plan: (r) => listPlan(r, EAST, 5),
      behaviour: (random, plan) =>
        legitBehaviour({
          zone: EAST,
          dailyVolume: 0,
          model: profileModel(random, 'conversational'),
          plan,
          mix: { A: 1, B: 0, C: 0, unsigned: 0 },
          volume: (hour) => (hour === 18 || hour === 19 ? 600 : inHours(hour, 13, 3) ? 20 : 0),
          called: (r, startMs) => calledAtLocalHour(r, startMs, DAYTIME, [EAST, 'America/Chicago']),
        }),
      expect: ['VOLUME_SPIKE'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH', 'SHORT_CALL_RATIO', 'LOW_ASR'],
      hours: '18-20',
    },
    {
      index: 912,
      kind: 'abuse',
      signal: '12. high fan-out',
      description:
        'Customer missing from customers.csv (so new): about 2,500 calls/hour 17:00-20:59 UTC, each to a different called number.',
      vetting: 'new',
      profile: 'dialer',
      inRegistry: false,
      zone: EAST,
      switches: [
        { id: GW_WHOLESALE.id, weight: 1 },
        { id: SBC_EAST.id, weight: 1 },
      ],
      plan: (r) => listPlan(r, EAST, 40),
      behaviour: (_r, plan) => ({
        volume: activeHours(17, 21, 2500),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: daytimeCalled(random, startMs),
          outcome: drawOutcome(random, { asr: 0.35, duration: (r) => r.logNormal(45, 0.8) }),
          ...signed(random.chance(0.95) ? 'B' : 'C'),
        }),
      }),
      expect: ['HIGH_FANOUT'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS'],
      needs: ['customers'],
      hours: '17-21',
    },
    {
      index: 913,
      kind: 'abuse',
      signal: '13. repeated calls to the same numbers (targeted pumping)',
      description:
        'About 220 calls/hour; 85% go to 12 fixed (caller, called) pairs, so each pair repeats about 15 times an hour.',
      vetting: 'new',
      profile: 'dialer',
      zone: EAST,
      switches: on(SBC_EAST.id),
      plan: (r) => listPlan(r, EAST, 12),
      behaviour: (random, plan) => {
        const pairs = plan.pool.map((calling) => ({ calling, called: randomNumberInZone(random, EAST) }));
        return windowed(220, (r, startMs) => {
          const model = { asr: 0.3, duration: (x: Random) => x.int(5, 30) };
          if (!r.chance(0.85)) return ownNumberCall(r, startMs, plan, model);
          const pair = r.pick(pairs);
          return { ...pair, outcome: drawOutcome(r, model), ...signed('A') };
        });
      },
      expect: ['REPEAT_CALLS'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS', 'ATTESTATION_MISMATCH', 'ANI_ROTATION', 'HIGH_FANOUT'],
      hours: WINDOW,
    },
    {
      index: 914,
      kind: 'abuse',
      signal: '14. traceback target',
      description:
        'Dialer at about 90 calls/hour 14:00-23:59 UTC over three SBCs and the Asterisk PBX; four of its calls are the subject of the traceback requests in tracebacks/.',
      vetting: 'standard',
      profile: 'dialer',
      zone: EAST,
      switches: [
        { id: SBC_EAST.id, weight: 3 },
        { id: SBC_WEST.id, weight: 2 },
        { id: GW_WHOLESALE.id, weight: 1 },
        { id: ASTERISK_SWITCH, weight: 1 },
      ],
      plan: (r) => blockPlan(r, EAST, 40),
      behaviour: (_r, plan) => ({
        volume: activeHours(14, 24, 90),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: daytimeCalled(random, startMs),
          outcome: drawOutcome(random, profileModel(random, 'dialer')),
          ...signed('A'),
        }),
        exactCalls: (random, hour, hourStartMs): ExactCall[] =>
          TRACEBACK_CALLS.filter((t) => t.hour === hour).map((t) => {
            // minute 8-24: away from the hour edges and from gw-wholesale-1's half-hour batch boundary
            const startMs = hourStartMs + random.int(8 * 60, 24 * 60) * 1000;
            return {
              startMs,
              switchId: t.switchId,
              tag: t.tag,
              draft: {
                calling: randomNumber(random),
                called: calledAtLocalHour(random, startMs, DAYTIME, [EAST]),
                outcome: { sipCode: 200, durationS: random.int(25, 70), setupS: random.int(3, 9) },
                ...signed('B'),
              },
            };
          }),
      }),
      expect: ['TRACEBACK_HISTORY'],
      forbid: [...CLEAN_HARD, 'OUTSIDE_CALLING_HOURS'],
      needs: ['tracebacks'],
      hours: '14-24',
    },
    {
      index: 915,
      kind: 'abuse',
      signal: '7b. a few Do-Not-Originate calls (hard rule)',
      description:
        'Otherwise ordinary trusted conversational customer (about 45 calls/hour) with exactly three calls all day from DNO numbers, at 15, 18 and 20 UTC: one is enough.',
      vetting: 'trusted',
      profile: 'conversational',
      zone: 'America/Chicago',
      switches: on(SBC_CENTRAL.id),
      plan: (r) => listPlan(r, 'America/Chicago', 6),
      behaviour: (random, plan) => {
        const base = legitBehaviour({
          zone: 'America/Chicago',
          dailyVolume: 0,
          model: profileModel(random, 'conversational'),
          plan,
          mix: OWN_NUMBERS_MIX,
          volume: activeHours(14, 2, 45),
          called: daytimeCalled,
        });
        return {
          ...base,
          exactCalls: (r, hour, hourStartMs) =>
            FEW_DNO_HOURS.includes(hour)
              ? [
                  {
                    startMs: hourStartMs + r.int(60, 3540) * 1000,
                    switchId: SBC_CENTRAL.id,
                    tag: 'dno-few',
                    draft: {
                      calling: dno.usedByAbuse[FEW_DNO_HOURS.indexOf(hour)],
                      called: randomNumberInZone(r, 'America/Chicago'),
                      outcome: drawOutcome(r, { asr: 0.6, duration: conversationalDuration }),
                      ...signed('B'),
                    },
                  },
                ]
              : [],
        };
      },
      expect: ['DNO_CALLING_NUMBER'],
      forbid: [
        'INVALID_CALLING_NUMBER',
        'SHORT_CALL_RATIO',
        'LOW_ASR',
        'ANI_ROTATION',
        'OUTSIDE_CALLING_HOURS',
        'ATTESTATION_MISMATCH',
      ],
      hours: '15-21',
    },
    // ---- look-alikes: traffic that resembles abuse but is legitimate and must stay quiet ----
    {
      index: 951,
      kind: 'lookalike',
      signal: 'a. notifications sender',
      description:
        'Trusted notifications sender: about 600 calls/hour 13:00-01:59 UTC to New York numbers only (08:00-20:59 local), ASR about 86%, answered calls 2-8 s, A-attested from 10 numbers all in its inventory.',
      vetting: 'trusted',
      profile: 'notifications',
      zone: EAST,
      switches: on(SBC_EAST.id),
      plan: (r) => listPlan(r, EAST, 10),
      behaviour: (_r, plan) => ({
        volume: activeHours(13, 2, 600),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: calledAtLocalHour(random, startMs, DAYTIME, [EAST]),
          outcome: drawOutcome(random, { asr: 0.86, duration: (r) => r.int(2, 8) }),
          ...signed('A'),
        }),
      }),
      expect: [],
      forbid: [
        'SHORT_CALL_RATIO',
        'LOW_ACD',
        'LOW_ASR',
        'ANI_ROTATION',
        'HIGH_FANOUT',
        'ATTESTATION_MISMATCH',
        'OUTSIDE_CALLING_HOURS',
        'UNSIGNED_OR_GATEWAY_ATTESTATION',
        ...CLEAN_HARD,
      ],
      hours: '13-2',
    },
    {
      index: 952,
      kind: 'lookalike',
      signal: 'b. high-volume call center',
      description:
        'Standard call center in Los Angeles: up to 2,000 calls/hour 16:00-04:59 UTC (08:00-20:59 Pacific, so 00-04 UTC is evening, not night), West-coast numbers only, ASR about 45%, ACD about 90 s, 300 stable A-attested numbers from its inventory; a lead list means some numbers are dialled twice.',
      vetting: 'standard',
      profile: 'call_center',
      zone: WEST,
      switches: on(SBC_WEST.id),
      plan: (r) => blockPlan(r, WEST, 300),
      behaviour: (random, plan) => {
        const leads = Array.from({ length: 15_000 }, () => randomNumberInZone(random, WEST));
        const ramp = (local: number) => (local === 8 ? 0.5 : local === 9 ? 0.8 : local === 20 ? 0.6 : 1);
        return {
          volume: (_hour, hourStartMs) => {
            const local = localHour(WEST, hourStartMs);
            return DAYTIME(local) ? 2000 * ramp(local) : 0;
          },
          call: (r, _startMs) => ({
            calling: r.pick(plan.pool),
            called: r.pick(leads),
            outcome: drawOutcome(r, { asr: 0.45, duration: (x) => x.logNormal(70, 0.7) }),
            ...signed(r.chance(0.97) ? 'A' : 'B'),
          }),
        };
      },
      expect: [],
      forbid: [
        'HIGH_FANOUT',
        'LOW_ASR',
        'LOW_ACD',
        'SHORT_CALL_RATIO',
        'ANI_ROTATION',
        'ATTESTATION_MISMATCH',
        'OUTSIDE_CALLING_HOURS',
        'VOLUME_SPIKE',
        ...CLEAN_HARD,
      ],
      hours: '16-5',
    },
    {
      index: 953,
      kind: 'lookalike',
      signal: 'c. trusted customer with a small sample of short calls',
      description:
        'Trusted conversational customer at about 20 calls/hour; half of its answered calls are under 6 s.',
      vetting: 'trusted',
      profile: 'conversational',
      zone: EAST,
      switches: on(SBC_CENTRAL.id),
      plan: (r) => listPlan(r, EAST, 3),
      behaviour: (_r, plan) => ({
        volume: activeHours(13, 2, 20),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: calledAtLocalHour(random, startMs, DAYTIME, [EAST]),
          outcome: drawOutcome(random, {
            asr: 0.6,
            duration: (r) => (r.chance(0.5) ? r.int(1, 5) : conversationalDuration(r)),
          }),
          ...signed('A'),
        }),
      }),
      expect: [],
      forbid: ['SHORT_CALL_RATIO', 'LOW_ACD', 'LOW_ASR', ...CLEAN_HARD, 'ATTESTATION_MISMATCH'],
      hours: '13-2',
    },
    {
      index: 954,
      kind: 'lookalike',
      signal: 'd. wholesale upstream with B/C attestation',
      description:
        "Trusted wholesale upstream, up to about 250 calls/hour on a New York working day: 75% A-attested from its inventory, 25% B, C or unsigned from its own customers' 60 numbers (outside its inventory, as B/C rightly say).",
      vetting: 'trusted',
      profile: 'conversational',
      zone: EAST,
      switches: on(GW_WHOLESALE.id),
      plan: (r) => blockPlan(r, EAST, 60),
      behaviour: (random, plan) =>
        legitBehaviour({
          zone: EAST,
          // peak hour at about 250 calls: the day's volume divided by the busiest hour's share
          dailyVolume: 250 / Math.max(...DIURNAL),
          model: profileModel(random, 'conversational'),
          plan,
          mix: { A: 0.75, B: 0.13, C: 0.08, unsigned: 0.04 },
          foreignPool: Array.from({ length: 60 }, () => randomNumber(random)),
        }),
      expect: [],
      forbid: [
        'UNSIGNED_OR_GATEWAY_ATTESTATION',
        'ATTESTATION_MISMATCH',
        'ANI_ROTATION',
        'LOW_ASR',
        ...CLEAN_HARD,
      ],
      hours: '0-24',
    },
    {
      index: 955,
      kind: 'lookalike',
      signal: 'e. anonymous callers in a normal customer',
      description:
        'Standard conversational customer at about 150 calls/hour 13:00-01:59 UTC; about 3% of calls have caller ID `anonymous` or blank, which is not an invalid number.',
      vetting: 'standard',
      profile: 'conversational',
      zone: EAST,
      switches: on(SBC_EAST.id),
      plan: (r) => listPlan(r, EAST, 10),
      behaviour: (random, plan) =>
        legitBehaviour({
          zone: EAST,
          dailyVolume: 0,
          model: profileModel(random, 'conversational'),
          plan,
          mix: OWN_NUMBERS_MIX,
          anonymousShare: 0.03,
          volume: activeHours(13, 2, 150),
          called: (r, startMs) => calledAtLocalHour(r, startMs, DAYTIME, [EAST]),
        }),
      expect: [],
      forbid: [
        'INVALID_CALLING_NUMBER',
        'DNO_CALLING_NUMBER',
        'CALLING_EQUALS_CALLED',
        'ATTESTATION_MISMATCH',
      ],
      hours: '13-2',
    },
  ];
  return specs.map((spec) => plant(seed, dayStartMs, spec));
}
