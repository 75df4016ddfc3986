import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { Aggregator, type AggregatorOptions } from '../../shared/detect/aggregator.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { windowKey, windowToJson } from '../../shared/detect/window.ts';
import { callsInHour, HOUR, randomNumber, rng } from '../helpers/traffic.ts';

/**
 * analyze keeps only the calls of each (customer, trunk, hour), not whole trunk windows: what findings
 * show of trunks (calls per trunk per hour, in the order the customer first used them) must be the
 * same as whole trunk windows give, and stay so when shares of the input are aggregated apart (worker
 * threads) and handed over.
 */

const callArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    customer: fc.constantFrom('C1', 'C2'),
    hour: fc.constantFrom(HOUR, HOUR + 3_600_000, HOUR + 7_200_000),
    trunk: fc.constantFrom('T1', 'T2', 'T3', 'T4', 'T5', ''),
    // on-net and emergency destinations count for a trunk's presence, not its PSTN calls
    called: fc.constantFrom('pstn', '1001', '911'),
  })
  .map((s) => {
    const r = rng(s.seed);
    return callsInHour(
      s.customer,
      s.hour,
      1,
      () => ({ called: s.called === 'pstn' ? randomNumber(r) : s.called, trunkId: s.trunk }),
      s.seed,
    )[0];
  });

function aggregate(calls: CallRecord[], opts: AggregatorOptions): Aggregator {
  const agg = new Aggregator(emptyReference(), opts);
  for (const c of calls) agg.add(c);
  return agg;
}

/** per customer and hour, the trunks with their calls in the order findings list ties */
function trunkCalls(agg: Aggregator): string[] {
  const out: string[] = [];
  for (const customer of [...agg.customerWindows().keys()].sort()) {
    const byHour = new Map<number, string[]>();
    for (const t of agg.trunkAttemptsOf(customer))
      byHour.set(t.hourMs, [...(byHour.get(t.hourMs) ?? []), `${t.trunkId}=${t.attempts}`]);
    for (const [hour, trunks] of [...byHour].sort(([a], [b]) => a - b))
      out.push(`${customer} ${hour} ${trunks.join(' ')}`);
  }
  return out;
}

function customerWindows(agg: Aggregator) {
  return [...agg.windows()].map((w) => [windowKey(w), windowToJson(w)]).sort();
}

describe('trunk calls instead of trunk windows', () => {
  it('give the calls per trunk and hour that whole trunk windows give', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 60, size: 'max' }), (calls) => {
        expect(trunkCalls(aggregate(calls, { trunkWindows: 'calls' }))).toEqual(
          trunkCalls(aggregate(calls, { trunkWindows: true })),
        );
      }),
    );
  });

  it('shares aggregated apart and handed over as numbers equal one aggregate of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(callArb, { maxLength: 40, size: 'max' }),
        fc.array(callArb, { maxLength: 40, size: 'max' }),
        fc.constantFrom<AggregatorOptions['trunkWindows']>('calls', true, false),
        (a, b, trunkWindows) => {
          const whole = aggregate([...a, ...b], { trunkWindows });
          const merged = new Aggregator(emptyReference(), { trunkWindows });
          for (const share of [a, b]) {
            const { state, buffers } = aggregate(share, { trunkWindows }).exportWindows();
            merged.importWindows(structuredClone(state, { transfer: buffers }));
          }
          expect(trunkCalls(merged)).toEqual(trunkCalls(whole));
          expect(customerWindows(merged)).toEqual(customerWindows(whole));
        },
      ),
    );
  });

  it('shares that write their hours out as they go (up to five trunks a customer) equal one aggregate of the whole', () => {
    // in time order, so that each hour is written out once the input is past it
    const byTime = (calls: CallRecord[]) => [...calls].sort((x, y) => x.startMs - y.startMs);
    fc.assert(
      fc.property(
        fc.array(callArb, { maxLength: 60, size: 'max' }),
        fc.array(callArb, { maxLength: 60, size: 'max' }),
        (a, b) => {
          const shares = [byTime(a), byTime(b)];
          const whole = aggregate(shares.flat(), { trunkWindows: 'calls' });
          const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
          for (const share of shares) {
            const reader = aggregate(share, {
              trunkWindows: 'calls',
              spill: { behindHours: 1 },
            });
            const { state, buffers } = reader.exportWindows();
            merged.importWindows(structuredClone(state, { transfer: buffers }));
          }
          expect(trunkCalls(merged)).toEqual(trunkCalls(whole));
          expect(customerWindows(merged)).toEqual(customerWindows(whole));
        },
      ),
    );
  });

  it('refuses windows kept with another trunk mode', () => {
    const { state } = aggregate([], { trunkWindows: true }).exportWindows();
    expect(() => new Aggregator(emptyReference(), { trunkWindows: 'calls' }).importWindows(state)).toThrow(
      /trunk mode/,
    );
  });
});
