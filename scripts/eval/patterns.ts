import { type Attestation, drawOutcome, type Outcome, REJECTIONS } from '../sample/call.ts';
import {
  AREA_CODES_BY_ZONE,
  neighbourOf,
  randomInvalidCallerId,
  randomNumber,
  randomNumberInZone,
  WEST,
} from '../sample/nanp.ts';
import { REASON_CODES } from '../sample/planted.ts';
import type { Random } from '../sample/random.ts';
import {
  type Behaviour,
  type CallDraft,
  calledAtLocalHour,
  DAYTIME,
  inHours,
  type TrafficProfile,
  type Vetting,
} from '../sample/traffic.ts';
import {
  effectiveThreshold,
  type Intensity,
  type PolicyThresholds,
  plantedBelow,
  plantedCountAbove,
  plantedShareAbove,
} from './intensity.ts';

/** Every reason code the detector has, each planted as its own customer's single pattern. */
export const PLANTED_CODES = [...REASON_CODES, 'FICTITIOUS_CALLING_NUMBER', 'UNIFORM_DURATION'] as const;
export type PlantedCode = (typeof PLANTED_CODES)[number];

/**
 * Where a pattern is not abuse for a profile, it is not planted there: short calls and short average
 * duration are what notifications are, tens of thousands of distinct called numbers an hour is what a
 * notifications sender does by design, emergency alerts may ring at any hour, and a school's whole
 * district in one hour is a burst by design (the school look-alike says so from the other side).
 */
export function applies(code: PlantedCode, profile: TrafficProfile): boolean {
  // a recorded message played out is what a voice-broadcast dialer sells, as notifications are
  if (code === 'UNIFORM_DURATION') return profile !== 'dialer' && profile !== 'notifications';
  if (profile !== 'notifications') return true;
  return !['SHORT_CALL_RATIO', 'LOW_ACD', 'HIGH_FANOUT', 'OUTSIDE_CALLING_HOURS', 'VOLUME_SPIKE'].includes(
    code,
  );
}

/** UTC hours the pattern is on: mid-day, inside calling hours everywhere in the lower 48. */
export const ABUSE_HOURS = [16, 17];
/** Calling-hours abuse needs hours where one coast sleeps: 13-14 UTC is 08-09 in New York, 05-06 in Los Angeles. */
const NIGHT_HOURS = [13, 14];
/**
 * Ordinary hours before the pattern starts, so volume baselines and caller-ID history exist. Share
 * patterns keep a quarter of their volume there: the step up stays under every tier's spike threshold,
 * so a customer shows its own pattern and not also a volume spike.
 */
const HISTORY_HOURS = 3;
const HISTORY_SHARE = 0.25;
/** The spike pattern's own baseline: a small steady customer from 09 UTC. */
const SPIKE_FROM = 9;
const SPIKE_BASE = 25;
/** Calls an hour for share-based patterns: above every tier's minimum-volume gate. */
const SHARE_VOLUME = 400;
/** Caller-called pairs a repeat-calls customer hammers. */
const REPEAT_PAIRS = 5;

/** A recorded message's length: long enough that no duration rule but UNIFORM_DURATION has a reason to fire. */
const MESSAGE_S = 60;

/**
 * Whole seconds `average` x (1 + spread) and x (1 - spread) in turn: two lengths equally often have
 * exactly that average and a standard deviation of `spread` times it (before rounding to seconds).
 */
export function alternating(average: number, spread: number): () => number {
  let k = 0;
  return () => Math.round(average * (1 + (k++ % 2 === 0 ? spread : -spread)));
}

/** Turns a share into an exact sequence of yes/no (Bresenham), so the planted share is not left to sampling noise. */
export function spread(share: number): () => boolean {
  let k = 0;
  return () => {
    k++;
    return Math.floor(k * share) > Math.floor((k - 1) * share);
  };
}

export interface PatternSpec {
  code: PlantedCode;
  profile: TrafficProfile;
  vetting: Vetting;
  intensity: Intensity;
}

export interface PlantedPattern {
  behaviour: Behaviour;
  /** traceback requests naming the customer (answered before the day starts) */
  tracebacks: number;
  /** the value the pattern was planted at and the effective threshold it was sized against */
  planted: number;
  threshold: number;
}

export interface PatternContext {
  policy: PolicyThresholds;
  dnoNumbers: readonly string[];
  /** numbers the customer holds (inventory), all in one area code */
  pool: readonly string[];
}

const answered = (random: Random, durationS: number): Outcome => ({
  sipCode: 200,
  durationS,
  setupS: random.int(3, 12),
});
const ordinaryFailure = (random: Random): Outcome => drawOutcome(random, { asr: 0, duration: () => 0 });
const ordinaryDuration = (random: Random) => random.int(30, 240);
const daytime = (random: Random, startMs: number) => calledAtLocalHour(random, startMs, DAYTIME);

/** An ordinary call: own number, A-attested, about 60% answered at a few minutes. */
function ordinaryCall(
  random: Random,
  startMs: number,
  pool: readonly string[],
  answer = spread(0.6),
): CallDraft {
  return {
    calling: random.pick(pool),
    called: daytime(random, startMs),
    outcome: answer() ? answered(random, ordinaryDuration(random)) : ordinaryFailure(random),
    attestation: 'A',
    verstat: 'TN-Validation-Passed',
  };
}

/** Volume: `perHour` in the pattern's hours, a quarter of it in the few hours before. */
function volumeWith(perHour: number, hours = ABUSE_HOURS) {
  const first = Math.min(...hours);
  return (hourOfDay: number) =>
    hours.includes(hourOfDay)
      ? perHour
      : inHours(hourOfDay, first - HISTORY_HOURS, first)
        ? Math.ceil(perHour * HISTORY_SHARE)
        : 0;
}

function shareBehaviour(
  ctx: PatternContext,
  share: number,
  plantedCall: (random: Random, startMs: number, ordinary: CallDraft) => CallDraft,
  perHour = SHARE_VOLUME,
  hours = ABUSE_HOURS,
): Behaviour {
  const isPlanted = spread(share);
  const answer = spread(0.6);
  return {
    volume: volumeWith(perHour, hours),
    call(random, startMs) {
      const ordinary = ordinaryCall(random, startMs, ctx.pool, answer);
      const hour = new Date(startMs).getUTCHours();
      return hours.includes(hour) && isPlanted() ? plantedCall(random, startMs, ordinary) : ordinary;
    },
  };
}

/** Enough calls an hour that `share` of them reaches the rule's minimum count with room to spare. */
const volumeForCount = (share: number, minCount = 0) =>
  Math.max(SHARE_VOLUME, Math.ceil((minCount * 1.5) / share));

type PlantedCall = (random: Random, startMs: number, ordinary: CallDraft) => CallDraft;

/**
 * Patterns that change one thing of a share of the calls, above a ratio threshold. Each call keeps the
 * rest of the ordinary call (own numbers, daytime, A-attested) so only its own rule has a reason to fire.
 */
const SHARED_CALL_PATTERNS: Partial<Record<PlantedCode, () => PlantedCall>> = {
  REJECTION_RATIO: () => {
    let i = 0;
    return (random, _s, o) => ({
      ...o,
      outcome: { sipCode: REJECTIONS[i++ % REJECTIONS.length], durationS: 0, setupS: random.int(0, 3) },
    });
  },
  NEIGHBOR_SPOOFING: () => (random, _s, o) => ({
    ...o,
    calling: neighbourOf(random, o.called),
    attestation: 'B',
  }),
  CALLING_EQUALS_CALLED: () => (_r, _s, o) => ({ ...o, calling: o.called, attestation: 'B' }),
  FICTITIOUS_CALLING_NUMBER: () => (random, _s, o) => ({
    ...o,
    calling: `+1${random.pick(AREA_CODES_BY_ZONE[WEST])}55501${String(random.int(0, 99)).padStart(2, '0')}`,
    attestation: 'B',
  }),
  UNSIGNED_OR_GATEWAY_ATTESTATION: () => (random, _s, o) => {
    const attestation: Attestation = random.chance(0.5) ? 'C' : '';
    return { ...o, attestation, verstat: 'No-TN-Validation' };
  },
  // A-attested calls from numbers the customer does not hold
  ATTESTATION_MISMATCH: () => (random, _s, o) => ({ ...o, calling: randomNumberInZone(random, WEST) }),
};

export function plantPattern(spec: PatternSpec, ctx: PatternContext): PlantedPattern {
  const { code, profile, vetting, intensity } = spec;
  const t = (direction: 'max' | 'min', ratio: boolean) =>
    effectiveThreshold(ctx.policy, code, profile, vetting, direction, ratio);
  const none = { tracebacks: 0 };
  const sharedCall = SHARED_CALL_PATTERNS[code];
  if (sharedCall) {
    const threshold = t('max', true);
    const share = plantedShareAbove(threshold, intensity);
    const perHour = volumeForCount(share, ctx.policy.rules[code]?.minCount);
    return {
      ...none,
      behaviour: shareBehaviour(ctx, share, sharedCall(), perHour),
      planted: share,
      threshold,
    };
  }
  switch (code) {
    case 'SHORT_CALL_RATIO': {
      const threshold = t('max', true);
      const share = plantedShareAbove(threshold, intensity);
      const short = spread(share);
      const answer = spread(0.6);
      const behaviour: Behaviour = {
        volume: volumeWith(SHARE_VOLUME),
        call(random, startMs) {
          const draft = ordinaryCall(random, startMs, ctx.pool, answer);
          const inWindow = ABUSE_HOURS.includes(new Date(startMs).getUTCHours());
          if (inWindow && draft.outcome.sipCode === 200 && short())
            draft.outcome = answered(random, random.int(1, 5));
          return draft;
        },
      };
      return { ...none, behaviour, planted: share, threshold };
    }
    case 'LOW_ASR': {
      const threshold = t('min', true);
      const asr = plantedBelow(threshold, intensity);
      const answer = spread(asr);
      return {
        ...none,
        behaviour: shareBehaviour(ctx, 1, (random, startMs) =>
          ordinaryCall(random, startMs, ctx.pool, answer),
        ),
        planted: asr,
        threshold,
      };
    }
    case 'LOW_ACD': {
      const threshold = t('min', false);
      const acd = plantedBelow(threshold, intensity);
      // short calls of a robocall still differ in length: 30% either side of the planted average, in
      // turn, so the average stays the planted one and the durations do not all match (UNIFORM_DURATION)
      const lengths = alternating(acd, 0.3);
      return {
        ...none,
        behaviour: shareBehaviour(ctx, 1, (random, _s, ordinary) =>
          ordinary.outcome.sipCode === 200
            ? { ...ordinary, outcome: answered(random, Math.max(1, lengths())) }
            : ordinary,
        ),
        planted: acd,
        threshold,
      };
    }
    case 'UNIFORM_DURATION': {
      const threshold = t('min', false);
      const spreadOfAverage = plantedBelow(threshold, intensity);
      // a recorded message: every answered call of the pattern's hours about a minute long, within
      // the planted spread (standard deviation / average) of it
      const lengths = alternating(MESSAGE_S, spreadOfAverage);
      return {
        ...none,
        behaviour: shareBehaviour(ctx, 1, (random, _s, ordinary) =>
          ordinary.outcome.sipCode === 200 ? { ...ordinary, outcome: answered(random, lengths()) } : ordinary,
        ),
        planted: spreadOfAverage,
        threshold,
      };
    }
    case 'VOLUME_SPIKE': {
      const threshold = t('max', false);
      const multiple = plantedCountAbove(threshold, intensity);
      const answer = spread(0.6);
      return {
        ...none,
        behaviour: {
          volume: (hour) =>
            ABUSE_HOURS.includes(hour)
              ? Math.ceil(SPIKE_BASE * multiple)
              : inHours(hour, SPIKE_FROM, ABUSE_HOURS[0])
                ? SPIKE_BASE
                : 0,
          call: (random, startMs) => ordinaryCall(random, startMs, ctx.pool, answer),
        },
        planted: multiple,
        threshold,
      };
    }
    case 'HIGH_FANOUT': {
      const threshold = t('max', false);
      const distinct = Math.ceil(plantedCountAbove(threshold, intensity));
      // every call to a number not called before: the draw space is millions of numbers
      return {
        ...none,
        behaviour: shareBehaviour(ctx, 1, (_r, _s, ordinary) => ordinary, distinct, [17]),
        planted: distinct,
        threshold,
      };
    }
    case 'ANI_ROTATION': {
      const fresh = (random: Random, _s: number, o: CallDraft): CallDraft => ({
        ...o,
        calling: randomNumber(random),
        attestation: 'B',
      });
      const threshold = ctx.policy.rules[code].threshold;
      if (threshold <= 1) {
        // the rule weighs the share of calls from fresh caller IDs, each used once
        const t = effectiveThreshold(ctx.policy, code, profile, vetting, 'max', true);
        const share = plantedShareAbove(t, intensity);
        const perHour = volumeForCount(share, ctx.policy.rules[code].minDistinct);
        return {
          ...none,
          behaviour: shareBehaviour(ctx, share, fresh, perHour),
          planted: share,
          threshold: t,
        };
      }
      // the rule counts distinct fresh caller IDs in the hour
      const t = effectiveThreshold(ctx.policy, code, profile, vetting, 'max', false);
      const distinct = Math.ceil(plantedCountAbove(t, intensity));
      return {
        ...none,
        behaviour: shareBehaviour(ctx, 1, fresh, distinct, [17]),
        planted: distinct,
        threshold: t,
      };
    }
    case 'OUTSIDE_CALLING_HOURS': {
      const threshold = t('max', true);
      const share = plantedShareAbove(threshold, intensity);
      const outside = (hour: number) => hour < 8 || hour >= 21;
      const isPlanted = spread(share);
      const answer = spread(0.6);
      const behaviour: Behaviour = {
        volume: volumeWith(SHARE_VOLUME, NIGHT_HOURS),
        call(random, startMs) {
          const draft = ordinaryCall(random, startMs, ctx.pool, answer);
          const inWindow = NIGHT_HOURS.includes(new Date(startMs).getUTCHours());
          draft.called = calledAtLocalHour(random, startMs, inWindow && isPlanted() ? outside : DAYTIME);
          return draft;
        },
      };
      return { ...none, behaviour, planted: share, threshold };
    }
    case 'REPEAT_CALLS': {
      const threshold = t('max', true);
      const share = plantedShareAbove(threshold, intensity);
      const pairs: Array<{ calling: string; called: string }> = [];
      // the first call to each hammered pair is not a repeat: plant a little more so repeats reach `share`
      const hammered = Math.min(1, share + REPEAT_PAIRS / SHARE_VOLUME);
      return {
        ...none,
        behaviour: shareBehaviour(ctx, hammered, (random, _s, o) => {
          if (pairs.length < REPEAT_PAIRS) pairs.push({ calling: o.calling, called: o.called });
          return { ...o, ...random.pick(pairs) };
        }),
        planted: share,
        threshold,
      };
    }
    case 'TRACEBACK_HISTORY': {
      const threshold = t('max', false);
      const count = Math.ceil(plantedCountAbove(threshold, intensity));
      return {
        tracebacks: count,
        behaviour: shareBehaviour(ctx, 0, (_r, _s, o) => o, 150),
        planted: count,
        threshold,
      };
    }
    case 'DNO_CALLING_NUMBER':
    case 'INVALID_CALLING_NUMBER': {
      // hard rules: any call fires; past that, how many calls decides how severe it is
      const share =
        intensity === 'just_past' ? 12 / SHARE_VOLUME : intensity === 'twice' ? 24 / SHARE_VOLUME : 0.5;
      const caller = (random: Random) =>
        code === 'DNO_CALLING_NUMBER' ? random.pick(ctx.dnoNumbers) : randomInvalidCallerId(random).text;
      return {
        ...none,
        behaviour: shareBehaviour(ctx, share, (random, _s, o) => ({
          ...o,
          calling: caller(random),
          attestation: 'B',
        })),
        planted: share,
        threshold: 0,
      };
    }
  }
  throw new Error(`no planted pattern for ${code}`);
}

/** UTC hours a robocaller split over small accounts runs: the US afternoon and evening. */
export const SPLIT_HOURS = [16, 17, 18, 19];
/** The answer rate it plants: far under every profile's and tier's minimum. */
export const SPLIT_ASR = 0.08;

/**
 * One of a robocaller's small accounts: each hour under `perHour` calls, so no hour reaches the
 * volume gate its rules judge an hour from; every call from a fresh caller ID the customer does not
 * hold, C-attested or unsigned, one in twelve answered and hung up within 5 s. Only the customer's
 * day, judged as a whole, shows it.
 */
export function splitRobocaller(perHour: number): Behaviour {
  const answer = spread(SPLIT_ASR);
  return {
    volume: (hour) => (SPLIT_HOURS.includes(hour) ? perHour : 0),
    call: (random, startMs) => ({
      calling: randomNumber(random),
      called: daytime(random, startMs),
      outcome: answer() ? answered(random, random.int(1, 5)) : ordinaryFailure(random),
      attestation: random.chance(0.5) ? 'C' : '',
      verstat: 'No-TN-Validation',
    }),
  };
}
