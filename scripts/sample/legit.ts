import { conversationalDuration, drawOutcome, type OutcomeModel } from './call.ts';
import {
  AREA_CODES_BY_ZONE,
  randomExchange,
  randomNumber,
  randomNumberInZone,
  ZONES,
  type Zone,
} from './nanp.ts';
import { createRandom, deriveSeed, type Random } from './random.ts';
import {
  ASTERISK_SWITCH,
  FREESWITCH_SWITCH,
  GW_WHOLESALE,
  SBC_CENTRAL,
  SBC_EAST,
  SBC_WEST,
} from './switches.ts';
import {
  type AttestationMix,
  type Behaviour,
  type Customer,
  diurnalShare,
  drawSignature,
  type TrafficProfile,
  type Trunk,
  type Vetting,
} from './traffic.ts';

/**
 * The ordinary customers: a few hundred accounts of every profile and vetting tier whose traffic must
 * raise nothing. Volumes stay under the 120-calls-an-hour floor of the published rules at peak, so a
 * detector only fires on them if it ignores volume.
 */

const NAME_FIRST = [
  'Lakeside',
  'Summit',
  'Harbor',
  'Pioneer',
  'Cedar',
  'Granite',
  'Blue Ridge',
  'Prairie',
  'Coastal',
  'Metro',
  'Keystone',
  'Redwood',
  'Liberty',
  'Northstar',
  'Riverbend',
  'Evergreen',
  'Bayview',
  'Canyon',
  'Heritage',
  'Ironwood',
];
const NAME_SECOND = [
  'Dental',
  'Logistics',
  'Insurance',
  'Realty',
  'Health',
  'Telecom',
  'Auto Group',
  'Credit Union',
  'Pharmacy',
  'Law Group',
  'Home Services',
  'Travel',
  'Utilities',
  'Clinic',
  'Staffing',
  'Solar',
  'Mortgage',
  'Voice',
];
const NAME_SUFFIX = ['LLC', 'Inc.', 'Co.', 'Partners', 'Corp.', 'Networks'];

export function companyName(random: Random): string {
  if (random.chance(0.03)) return `${random.pick(NAME_FIRST)}, ${random.pick(NAME_FIRST)} & Partners LLP`;
  return `${random.pick(NAME_FIRST)} ${random.pick(NAME_SECOND)} ${random.pick(NAME_SUFFIX)}`;
}

/** Documentation address ranges (RFC 5737): realistic-looking, never routable. */
export function documentationIp(random: Random): string {
  return `${random.pick(['192.0.2', '198.51.100', '203.0.113'])}.${random.int(2, 254)}`;
}

export function trunksFor(random: Random, index: number, count: number): Trunk[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `T${index}${String.fromCharCode(97 + i)}`,
    sourceIp: documentationIp(random),
  }));
}

export interface NumberPlan {
  inventory: string[];
  /** numbers the customer actually calls from (all inside the inventory) */
  pool: string[];
}

/** A 10,000-number block `+1NPANXX*` in the zone, with `poolSize` numbers the customer really uses. */
export function blockPlan(random: Random, zone: Zone, poolSize: number): NumberPlan {
  const prefix = `+1${random.pick(AREA_CODES_BY_ZONE[zone])}${randomExchange(random)}`;
  const pool = new Set<string>();
  while (pool.size < poolSize) pool.add(`${prefix}${String(random.int(0, 9999)).padStart(4, '0')}`);
  return { inventory: [`${prefix}*`], pool: [...pool] };
}

export function listPlan(random: Random, zone: Zone, count: number): NumberPlan {
  const numbers = Array.from({ length: count }, () => randomNumberInZone(random, zone));
  return { inventory: numbers, pool: numbers };
}

export function profileModel(random: Random, profile: TrafficProfile): OutcomeModel {
  switch (profile) {
    case 'conversational':
      return {
        asr: 0.56 + random.next() * 0.14,
        duration: (r) => (r.chance(0.06) ? r.int(1, 5) : conversationalDuration(r)),
      };
    case 'call_center':
      return {
        asr: 0.44 + random.next() * 0.1,
        duration: (r) => (r.chance(0.05) ? r.int(1, 5) : r.logNormal(70, 0.7)),
      };
    case 'notifications':
      return {
        asr: 0.8 + random.next() * 0.1,
        duration: (r) => (r.chance(0.85) ? r.int(2, 8) : r.int(9, 40)),
      };
    case 'dialer':
      return {
        asr: 0.5 + random.next() * 0.1,
        duration: (r) => (r.chance(0.1) ? r.int(1, 5) : r.logNormal(40, 0.8)),
      };
  }
}

export interface LegitOptions {
  zone: Zone;
  dailyVolume: number;
  model: OutcomeModel;
  plan: NumberPlan;
  mix: AttestationMix;
  /** numbers of the upstream's own customers: B/C/unsigned calls come from these, outside the inventory */
  foreignPool?: string[];
  /** share of calls with blank or `anonymous` caller ID */
  anonymousShare?: number;
  /** share of called numbers in the customer's own zone */
  localShare?: number;
  /** replaces the diurnal volume curve (mean calls in a UTC hour) */
  volume?: Behaviour['volume'];
  /** replaces how the called number is drawn (e.g. only where it is daytime) */
  called?: (random: Random, startMs: number) => string;
}

/** Ordinary traffic: volume follows the home zone's working day; numbers come from the customer's own plan. */
export function legitBehaviour(options: LegitOptions): Behaviour {
  const { zone, dailyVolume, model, plan, mix, foreignPool, anonymousShare = 0, localShare = 0.6 } = options;
  const drawCalled =
    options.called ??
    ((random: Random) =>
      random.chance(localShare) ? randomNumberInZone(random, zone) : randomNumber(random));
  return {
    volume: options.volume ?? ((_hour, hourStartMs) => dailyVolume * diurnalShare(zone, hourStartMs)),
    call(random, startMs) {
      let { attestation, verstat } = drawSignature(random, mix);
      let calling =
        attestation === 'A' || attestation === 'B' || !foreignPool
          ? random.pick(plan.pool)
          : random.pick(foreignPool);
      if (anonymousShare > 0 && random.chance(anonymousShare)) {
        calling = random.chance(0.7) ? 'anonymous' : '';
        attestation = '';
        verstat = 'No-TN-Validation';
      }
      let called = drawCalled(random, startMs);
      while (called === calling) called = randomNumber(random);
      return { calling, called, outcome: drawOutcome(random, model), attestation, verstat };
    },
  };
}

export const OWN_NUMBERS_MIX: AttestationMix = { A: 0.9, B: 0.07, C: 0.015, unsigned: 0.015 };
export const UPSTREAM_MIX: AttestationMix = { A: 0.78, B: 0.1, C: 0.07, unsigned: 0.05 };

const PROFILES: readonly TrafficProfile[] = ['conversational', 'call_center', 'notifications', 'dialer'];
const VETTINGS: readonly Vetting[] = ['trusted', 'standard', 'new'];
const ZONE_WEIGHTS = [45, 25, 5, 5, 20]; // New York, Chicago, Denver, Phoenix, Los Angeles (ZONES order)

function switchesFor(zone: Zone, random: Random): Customer['switches'] {
  if (zone === 'America/New_York') {
    return random.chance(0.3)
      ? [
          { id: SBC_EAST.id, weight: 3 },
          { id: GW_WHOLESALE.id, weight: 1 },
        ]
      : [{ id: SBC_EAST.id, weight: 1 }];
  }
  if (zone === 'America/Chicago') return [{ id: SBC_CENTRAL.id, weight: 1 }];
  return [{ id: SBC_WEST.id, weight: 1 }];
}

function onboardedAt(random: Random, vetting: Vetting, dayStartMs: number): string {
  const daysAgo = vetting === 'new' ? random.int(2, 40) : random.int(120, 2800);
  return new Date(dayStartMs - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

export interface LegitPopulation {
  customers: Customer[];
}

/**
 * `count` ordinary customers C001..; the last `unregistered` of them are left out of customers.csv.
 * A dozen are wholesale upstreams with some B/C and unsigned traffic; twelve sit behind the native PBXs.
 */
export function legitCustomers(
  seed: number,
  count: number,
  unregistered: number,
  dayStartMs: number,
): Customer[] {
  const customers: Customer[] = [];
  for (let i = 1; i <= count; i++) {
    const random = createRandom(deriveSeed(seed, 'legit-customer', i));
    const id = `C${String(i).padStart(3, '0')}`;
    const zone = random.weighted(ZONES, ZONE_WEIGHTS);
    const registered = i <= count - unregistered;
    const upstream = registered && i % 23 === 7; // a dozen wholesale upstreams spread through the list
    const profile = upstream ? 'conversational' : random.weighted(PROFILES, [55, 15, 12, 18]);
    const vetting = upstream
      ? random.pick<Vetting>(['trusted', 'standard'])
      : random.weighted(VETTINGS, [25, 60, 15]);
    const dailyVolume = Math.min(1300, Math.max(40, random.logNormal(upstream ? 900 : 330, 0.7)));
    const plan = upstream
      ? blockPlan(random, zone, 400)
      : dailyVolume > 300 || profile === 'call_center'
        ? blockPlan(random, zone, random.int(20, 120))
        : listPlan(random, zone, random.int(1, 8));
    let switches = upstream ? [{ id: GW_WHOLESALE.id, weight: 1 }] : switchesFor(zone, random);
    if (!upstream && i % 40 === 3) switches = [{ id: ASTERISK_SWITCH, weight: 1 }];
    if (!upstream && i % 40 === 13) switches = [{ id: FREESWITCH_SWITCH, weight: 1 }];
    customers.push({
      id,
      name: companyName(random),
      onboardedAt: onboardedAt(random, vetting, dayStartMs),
      vetting,
      profile,
      inRegistry: registered,
      homeZone: zone,
      inventory: plan.inventory,
      trunks: trunksFor(random, i, random.int(1, 3)),
      switches,
      behaviour: legitBehaviour({
        zone,
        dailyVolume,
        model: profileModel(random, profile),
        plan,
        mix: upstream ? UPSTREAM_MIX : OWN_NUMBERS_MIX,
        foreignPool: upstream ? Array.from({ length: 300 }, () => randomNumber(random)) : undefined,
        anonymousShare: random.chance(0.2) ? 0.005 : 0,
      }),
    });
  }
  return customers;
}
