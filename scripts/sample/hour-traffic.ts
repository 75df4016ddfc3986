import type { SampleCall } from './call.ts';
import { createRandom, deriveSeed, type Random } from './random.ts';
import { type CallIdSequence, callIdFor } from './switches.ts';
import { HOUR_MS } from './time.ts';
import type { CallDraft, Customer } from './traffic.ts';

export interface HourTraffic {
  calls: SampleCall[];
  /** calls placed on purpose, by tag (traceback subjects, the few DNO calls) */
  tagged: Array<{ tag: string; call: SampleCall }>;
}

function layOut(
  random: Random,
  customer: Customer,
  switchId: string,
  startMs: number,
  draft: CallDraft,
  sequence: CallIdSequence,
): SampleCall {
  const trunk = random.pick(customer.trunks);
  const { sipCode, durationS, setupS } = draft.outcome;
  const answerMs = sipCode === 200 ? startMs + setupS * 1000 : null;
  return {
    callId: callIdFor(switchId, random, startMs, sequence),
    switchId,
    customerId: customer.id,
    trunkId: trunk.id,
    sourceIp: trunk.sourceIp,
    calling: draft.calling,
    called: draft.called,
    startMs,
    answerMs,
    endMs: answerMs === null ? startMs + setupS * 1000 : answerMs + durationS * 1000,
    durationS: answerMs === null ? 0 : durationS,
    sipCode,
    attestation: draft.attestation,
    verstat: draft.verstat,
  };
}

/**
 * Every call of one UTC hour, all customers, sorted by start time. Each customer-hour draws from its own
 * seeded stream, so the output depends only on (seed, customer, hour, scale) and never on Math.random.
 */
export function generateHour(
  seed: number,
  customers: readonly Customer[],
  hourOfDay: number,
  dayStartMs: number,
  scale: number,
  sequence: CallIdSequence,
): HourTraffic {
  const hourStartMs = dayStartMs + hourOfDay * HOUR_MS;
  const calls: SampleCall[] = [];
  const tagged: HourTraffic['tagged'] = [];
  for (const customer of customers) {
    const random = createRandom(deriveSeed(seed, 'traffic', customer.id, hourOfDay));
    const count = random.poisson(customer.behaviour.volume(hourOfDay, hourStartMs) * scale);
    const switchIds = customer.switches.map((s) => s.id);
    const weights = customer.switches.map((s) => s.weight);
    for (let i = 0; i < count; i++) {
      const startMs = hourStartMs + random.int(0, 3599) * 1000;
      const draft = customer.behaviour.call(random, startMs);
      calls.push(layOut(random, customer, random.weighted(switchIds, weights), startMs, draft, sequence));
    }
    const exact = customer.behaviour.exactCalls;
    if (exact) {
      const exactRandom = createRandom(deriveSeed(seed, 'exact', customer.id, hourOfDay));
      for (const planned of exact(exactRandom, hourOfDay, hourStartMs)) {
        const call = layOut(
          exactRandom,
          customer,
          planned.switchId,
          planned.startMs,
          planned.draft,
          sequence,
        );
        calls.push(call);
        tagged.push({ tag: planned.tag, call });
      }
    }
  }
  calls.sort((a, b) => a.startMs - b.startMs);
  return { calls, tagged };
}
