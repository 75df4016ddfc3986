import { drawOutcome } from '../sample/call.ts';
import { blockPlan, listPlan, type NumberPlan } from '../sample/legit.ts';
import { EAST, randomNumberInZone, WEST } from '../sample/nanp.ts';
import type { Random } from '../sample/random.ts';
import {
  type Behaviour,
  calledAtLocalHour,
  DAYTIME,
  inHours,
  type TrafficProfile,
} from '../sample/traffic.ts';

/**
 * Legitimate traffic that resembles a planted pattern and must stay below `high`: each looks like abuse
 * on one metric and is ordinary business on inspection.
 */
export interface Lookalike {
  name: string;
  resembles: string;
  profile: TrafficProfile;
  plan(random: Random): NumberPlan;
  behaviour(plan: NumberPlan): Behaviour;
}

const signedA = { attestation: 'A' as const, verstat: 'TN-Validation-Passed' as const };
const daytimeEast = (random: Random, startMs: number) => calledAtLocalHour(random, startMs, DAYTIME, [EAST]);

export const LOOKALIKES: readonly Lookalike[] = [
  {
    name: 'appointment reminders',
    resembles: 'short calls, high volume',
    profile: 'notifications',
    plan: (r) => listPlan(r, EAST, 4),
    behaviour: (plan) => ({
      volume: (hour) => (inHours(hour, 13, 23) ? 500 : 0),
      call: (random, startMs) => ({
        calling: random.pick(plan.pool),
        called: daytimeEast(random, startMs),
        outcome: drawOutcome(random, { asr: 0.85, duration: (r) => r.int(10, 35) }),
        ...signedA,
      }),
    }),
  },
  {
    name: 'school notifications',
    resembles: 'volume spike, fan-out',
    profile: 'notifications',
    plan: (r) => listPlan(r, EAST, 2),
    // a handful of calls most hours, then the whole district in one afternoon hour
    behaviour: (plan) => ({
      volume: (hour) => (hour === 19 ? 3000 : inHours(hour, 12, 23) ? 15 : 0),
      call: (random, startMs) => ({
        calling: random.pick(plan.pool),
        called: daytimeEast(random, startMs),
        outcome: drawOutcome(random, { asr: 0.8, duration: (r) => r.int(15, 45) }),
        ...signedA,
      }),
    }),
  },
  {
    name: 'call center with a stable DID pool',
    resembles: 'ANI rotation, fan-out, low ASR',
    profile: 'call_center',
    plan: (r) => blockPlan(r, WEST, 400),
    behaviour: (plan) => ({
      volume: (hour) => (inHours(hour, 16, 24) ? 1500 : 0),
      call: (random, startMs) => ({
        calling: random.pick(plan.pool),
        called: calledAtLocalHour(random, startMs, DAYTIME, [WEST]),
        outcome: drawOutcome(random, { asr: 0.35, duration: (r) => r.logNormal(70, 0.7) }),
        ...signedA,
      }),
    }),
  },
  {
    name: 'trusted customer with a few short calls',
    resembles: 'short calls, low average duration',
    profile: 'conversational',
    plan: (r) => listPlan(r, EAST, 3),
    behaviour: (plan) => ({
      volume: (hour) => (inHours(hour, 13, 24) ? 20 : 0),
      call: (random, startMs) => ({
        calling: random.pick(plan.pool),
        called: daytimeEast(random, startMs),
        outcome: drawOutcome(random, {
          asr: 0.6,
          duration: (r) => (r.chance(0.5) ? r.int(1, 5) : r.int(20, 200)),
        }),
        ...signedA,
      }),
    }),
  },
  {
    name: "small town's business calling its own exchange",
    resembles: 'neighbour spoofing',
    profile: 'conversational',
    plan: (r) => blockPlan(r, EAST, 40),
    // a third of its calls to neighbours in its own NPA-NXX, from its own numbers, in business hours
    behaviour: (plan) => {
      const exchange = plan.inventory[0].slice(0, -1);
      return {
        volume: (hour) => (inHours(hour, 13, 22) ? 150 : 0),
        call: (random, startMs) => ({
          calling: random.pick(plan.pool),
          called: random.chance(0.35)
            ? `${exchange}${String(random.int(0, 9999)).padStart(4, '0')}`
            : daytimeEast(random, startMs),
          outcome: drawOutcome(random, { asr: 0.65, duration: (r) => r.logNormal(150, 0.6) }),
          ...signedA,
        }),
      };
    },
  },
  {
    name: 'dialer with its own numbers at steady volume',
    resembles: 'dialer profile, repeat calls',
    profile: 'dialer',
    plan: (r) => blockPlan(r, EAST, 60),
    behaviour: (plan) => ({
      volume: (hour) => (inHours(hour, 13, 23) ? 300 : 0),
      call: (random, startMs) => ({
        calling: random.pick(plan.pool),
        called: random.chance(0.1) ? randomNumberInZone(random, EAST) : daytimeEast(random, startMs),
        outcome: drawOutcome(random, { asr: 0.4, duration: (r) => r.logNormal(45, 0.6) }),
        ...signedA,
      }),
    }),
  },
];

/** On-net PBX traffic as a small office's switch logs it: extensions, feature codes, voicemail, a few international calls. */
export function pbxCall(random: Random, startMs: number, pool: readonly string[]) {
  const extension = () => String(random.int(1001, 1099));
  const kind = random.int(0, 9);
  const calling = kind === 9 ? random.pick(pool) : extension();
  const called =
    kind < 5
      ? String(random.int(2000, 3999))
      : kind < 7
        ? random.pick(['*97', '*98', '*72'])
        : kind < 8
          ? 'voicemail'
          : kind < 9
            ? `9011${random.int(44, 49)}${random.int(100000000, 999999999)}`
            : daytimeEast(random, startMs);
  return {
    calling: kind === 8 ? extension() : calling,
    called,
    outcome: drawOutcome(random, { asr: 0.7, duration: (r) => r.int(5, 300) }),
    attestation: '' as const,
    verstat: '' as const,
  };
}
