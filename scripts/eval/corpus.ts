import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SampleCall } from '../sample/call.ts';
import { buildDnoList } from '../sample/dno.ts';
import { canonicalLine, csvHeader } from '../sample/formats/canonical.ts';
import { asteriskLine, freeswitchLine } from '../sample/formats/native.ts';
import { customersCsv, numbersCsv } from '../sample/formats/reference.ts';
import { generateHour } from '../sample/hour-traffic.ts';
import { companyName, legitCustomers, listPlan, trunksFor } from '../sample/legit.ts';
import { EAST } from '../sample/nanp.ts';
import { createRandom, deriveSeed } from '../sample/random.ts';
import {
  ASTERISK_SWITCH,
  CANONICAL_SWITCHES,
  type CallIdSequence,
  FREESWITCH_SWITCH,
  NATIVE_ZONE,
  SBC_EAST,
} from '../sample/switches.ts';
import { dayStartMs } from '../sample/time.ts';
import type { Customer, TrafficProfile, Vetting } from '../sample/traffic.ts';
import { effectiveThreshold, INTENSITIES, type Intensity, type PolicyThresholds } from './intensity.ts';
import { LOOKALIKES, pbxCall } from './lookalikes.ts';
import {
  applies,
  PLANTED_CODES,
  type PlantedCode,
  plantPattern,
  SPLIT_ASR,
  splitRobocaller,
} from './patterns.ts';

export const PROFILES: readonly TrafficProfile[] = [
  'conversational',
  'call_center',
  'notifications',
  'dialer',
];
export const VETTINGS: readonly Vetting[] = ['new', 'standard', 'trusted'];

/** What the corpus says about one customer: the ground truth the detector is scored against. */
export type Label =
  | {
      customer_id: string;
      kind: 'abuse';
      code: PlantedCode;
      profile: TrafficProfile;
      vetting: Vetting;
      intensity: Intensity;
      planted: number;
      threshold: number;
      /** what the customer is when it is not one planted pattern alone (a robocaller's small account) */
      what?: string;
    }
  | { customer_id: string; kind: 'legit'; what: string; profile: TrafficProfile; vetting: Vetting };

export interface CorpusOptions {
  seed: number;
  day: string;
  /** ordinary customers (most send a few calls an hour); planted and look-alike customers come on top */
  customers: number;
  policy: PolicyThresholds;
}

export interface Corpus {
  customers: Customer[];
  labels: Label[];
  /** traceback history: customer and answer time of each earlier traceback naming it */
  tracebacks: Array<{ customer_id: string; answered_at: string }>;
  dnoText: string;
}

const onEast = [{ id: SBC_EAST.id, weight: 1 }];

function baseCustomer(
  id: string,
  index: number,
  random: ReturnType<typeof createRandom>,
  profile: TrafficProfile,
  vetting: Vetting,
  start: number,
) {
  const daysAgo = vetting === 'new' ? random.int(3, 25) : random.int(200, 2000);
  return {
    id,
    name: companyName(random),
    onboardedAt: new Date(start - daysAgo * 86_400_000).toISOString().slice(0, 10),
    vetting,
    profile,
    inRegistry: true,
    homeZone: EAST,
    trunks: trunksFor(random, index, 1),
    switches: onEast,
  };
}

/** The labelled population: ordinary customers, every pattern x profile x tier x intensity, look-alikes and a PBX. */
export function buildCorpus(options: CorpusOptions): Corpus {
  const { seed, day, policy } = options;
  const start = dayStartMs(day);
  const dno = buildDnoList(seed, day);
  const ordinary = legitCustomers(seed, options.customers, Math.ceil(options.customers / 100), start);
  const labels: Label[] = ordinary.map((c) => ({
    customer_id: c.id,
    kind: 'legit',
    what: c.switches.some((s) => s.id === ASTERISK_SWITCH || s.id === FREESWITCH_SWITCH)
      ? 'ordinary customer behind a PBX (native CDRs, empty accountcode)'
      : 'ordinary customer',
    profile: c.profile,
    vetting: c.inRegistry ? c.vetting : 'new',
  }));
  const customers: Customer[] = [...ordinary];
  const tracebacks: Corpus['tracebacks'] = [];

  let index = 0;
  for (const code of PLANTED_CODES) {
    for (const profile of PROFILES) {
      if (!applies(code, profile)) continue;
      for (const vetting of VETTINGS) {
        for (const intensity of INTENSITIES) {
          index++;
          const id = `A${String(index).padStart(4, '0')}`;
          const random = createRandom(deriveSeed(seed, 'eval-abuse', id));
          const plan = listPlan(random, EAST, 8);
          const pattern = plantPattern(
            { code, profile, vetting, intensity },
            { policy, dnoNumbers: dno.usedByAbuse, pool: plan.pool },
          );
          customers.push({
            ...baseCustomer(id, 5000 + index, random, profile, vetting, start),
            inventory: plan.inventory,
            behaviour: pattern.behaviour,
          });
          labels.push({
            customer_id: id,
            kind: 'abuse',
            code,
            profile,
            vetting,
            intensity,
            planted: pattern.planted,
            threshold: pattern.threshold,
          });
          for (let k = 0; k < pattern.tracebacks; k++) {
            tracebacks.push({
              customer_id: id,
              answered_at: new Date(start - (k + 1) * 2 * 86_400_000).toISOString(),
            });
          }
        }
      }
    }
  }

  // one robocaller spread over small accounts of each profile and tier it could pass as: every hour
  // at 80% of the tier's gate for the answer-rate rule, so only the accounts' days show it
  let split = 0;
  for (const profile of ['conversational', 'call_center', 'dialer'] as const) {
    for (const vetting of VETTINGS) {
      split++;
      const id = `S${String(split).padStart(3, '0')}`;
      const random = createRandom(deriveSeed(seed, 'eval-split', id));
      const plan = listPlan(random, EAST, 4);
      const gate =
        Number(policy.rules.LOW_ASR?.minAttempts ?? 120) * (policy.vetting[vetting]?.strictness ?? 1);
      const perHour = Math.floor(gate * 0.8);
      customers.push({
        ...baseCustomer(id, 8500 + split, random, profile, vetting, start),
        inventory: plan.inventory,
        behaviour: splitRobocaller(perHour),
      });
      labels.push({
        customer_id: id,
        kind: 'abuse',
        code: 'LOW_ASR',
        profile,
        vetting,
        intensity: 'blatant',
        planted: SPLIT_ASR,
        threshold: effectiveThreshold(policy, 'LOW_ASR', profile, vetting, 'min', true),
        what: `robocaller split over small accounts (${perHour} calls an hour, under the hourly gates)`,
      });
    }
  }

  let lookalike = 0;
  for (const look of LOOKALIKES) {
    for (const vetting of VETTINGS) {
      lookalike++;
      const id = `L${String(lookalike).padStart(3, '0')}`;
      const random = createRandom(deriveSeed(seed, 'eval-lookalike', id));
      const plan = look.plan(random);
      customers.push({
        ...baseCustomer(id, 8000 + lookalike, random, look.profile, vetting, start),
        inventory: plan.inventory,
        behaviour: look.behaviour(plan),
      });
      labels.push({ customer_id: id, kind: 'legit', what: look.name, profile: look.profile, vetting });
    }
  }

  const random = createRandom(deriveSeed(seed, 'eval-pbx'));
  const plan = listPlan(random, EAST, 4);
  customers.push({
    ...baseCustomer('PBX01', 9001, random, 'conversational', 'standard', start),
    switches: [{ id: FREESWITCH_SWITCH, weight: 1 }],
    inventory: plan.inventory,
    behaviour: {
      volume: (hour) => (hour >= 13 && hour < 23 ? 40 : 2),
      call: (r, startMs) => pbxCall(r, startMs, plan.pool),
    },
  });
  labels.push({
    customer_id: 'PBX01',
    kind: 'legit',
    what: 'small-office PBX (on-net calls, feature codes, voicemail)',
    profile: 'conversational',
    vetting: 'standard',
  });
  return { customers, labels, tracebacks, dnoText: dno.text };
}

/** Paths of a written corpus, as `traceguard analyze` takes them. */
export interface CorpusFiles {
  inputs: string[];
  customers: string;
  numbers: string;
  dno: string;
  tracebacks: string;
  /** trunk map (switch_id,trunk,customer_id) of the Asterisk PBX, whose rows carry no accountcode */
  trunks: string;
  /** the switch the trunk map's entries are for */
  trunkSwitch: string;
  timezone: string;
  /** call rows written (every row the detector is given) */
  rows: number;
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/**
 * Writes a day of the corpus: one canonical batch per switch and hour, and the two PBXs' native files.
 * Customers behind the PBXs are written with an empty accountcode, as stock Asterisk and FreeSWITCH
 * leave it; the on-net PBX keeps its accountcode so its calls reach detection.
 */
export function writeCorpus(corpus: Corpus, seed: number, day: string, dir: string): CorpusFiles {
  rmSync(dir, { recursive: true, force: true });
  const start = dayStartMs(day);
  const sequence: CallIdSequence = { next: 1 };
  const asterisk: string[] = [];
  const freeswitch: string[] = [];
  let rows = 0;
  for (let hour = 0; hour < 24; hour++) {
    const { calls } = generateHour(seed, corpus.customers, hour, start, 1, sequence);
    rows += calls.length;
    for (const sw of CANONICAL_SWITCHES) {
      const own = calls.filter((c) => c.switchId === sw.id);
      const body = own.map((c) => canonicalLine(sw, c)).join('\n');
      const text = sw.format === 'csv' ? `${csvHeader(sw)}\n${body}\n` : `${body}\n`;
      if (own.length === 0) continue;
      write(
        join(dir, 'cdr', sw.id, day, sw.fileName(hour, 0)),
        sw.compression(hour) === 'gzip' ? gzipSync(text) : text,
      );
    }
    for (const call of calls) {
      if (call.switchId === ASTERISK_SWITCH) asterisk.push(asteriskLine(unattributed(call), NATIVE_ZONE));
      if (call.switchId === FREESWITCH_SWITCH) {
        freeswitch.push(freeswitchLine(call.customerId === 'PBX01' ? call : unattributed(call), NATIVE_ZONE));
      }
    }
  }
  const files: CorpusFiles = {
    inputs: [join(dir, 'cdr')],
    customers: join(dir, 'customers.csv'),
    numbers: join(dir, 'numbers.csv'),
    dno: join(dir, 'dno.txt'),
    tracebacks: join(dir, 'tracebacks.csv'),
    trunks: join(dir, 'trunks.csv'),
    trunkSwitch: ASTERISK_SWITCH,
    timezone: NATIVE_ZONE,
    rows,
  };
  for (const [name, lines] of [
    ['asterisk.csv', asterisk],
    ['freeswitch.csv', freeswitch],
  ] as const) {
    if (lines.length === 0) continue;
    write(join(dir, 'native', name), `${lines.join('\n')}\n`);
    files.inputs.push(join(dir, 'native', name));
  }
  write(files.customers, customersCsv(corpus.customers));
  write(files.numbers, numbersCsv(corpus.customers));
  write(files.dno, corpus.dnoText);
  // the Asterisk PBX's operator mapped its peers; the FreeSWITCH one (a single `public` context) did not
  const behindAsterisk = corpus.customers.filter((c) => c.switches.some((s) => s.id === ASTERISK_SWITCH));
  const trunkLines = behindAsterisk.flatMap((c) => c.trunks.map((t) => `${ASTERISK_SWITCH},${t.id},${c.id}`));
  write(files.trunks, `switch_id,trunk,customer_id\n${trunkLines.join('\n')}\n`);
  write(
    files.tracebacks,
    `customer_id,answered_at\n${corpus.tracebacks.map((t) => `${t.customer_id},${t.answered_at}`).join('\n')}\n`,
  );
  return files;
}

const unattributed = (call: SampleCall): SampleCall => ({ ...call, customerId: '' });
