import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { DistinctCounter } from '../../shared/detect/distinct.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import {
  mergeInto,
  type WindowJson,
  windowFromJson,
  windowKey,
  windowToJson,
} from '../../shared/detect/window.ts';
import { callsInHour, HOUR, randomNumber, rng } from '../helpers/traffic.ts';

function aggregate(calls: CallRecord[], limit: number): Map<string, WindowJson> {
  const ref = emptyReference();
  ref.dno.add('+12125550200');
  // C1 holds an inventory, so the inventory counters take part
  ref.inventory.add('C1', '+1212555*');
  const agg = new Aggregator(ref, { exactLimit: limit });
  for (const c of calls) agg.add(c);
  return new Map([...agg.windows()].map((w) => [windowKey(w), windowToJson(w)]));
}

function mergeMaps(
  a: Map<string, WindowJson>,
  b: Map<string, WindowJson>,
  limit: number,
): Map<string, WindowJson> {
  const out = new Map<string, WindowJson>();
  for (const [k, v] of a) out.set(k, v);
  for (const [k, v] of b) {
    const have = out.get(k);
    out.set(k, have ? windowToJson(mergeInto(windowFromJson(have, limit), windowFromJson(v, limit))) : v);
  }
  return out;
}

function sorted(m: Map<string, WindowJson>) {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

const callArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    customer: fc.constantFrom('C1', 'C2'),
    hour: fc.constantFrom(HOUR, HOUR + 3_600_000),
    answered: fc.boolean(),
    dur: fc.integer({ min: 0, max: 400 }),
    sip: fc.constantFrom(200, 403, 486, 603, 607, 608),
    att: fc.constantFrom('A', 'B', 'C', '') as fc.Arbitrary<'A' | 'B' | 'C' | ''>,
    trunk: fc.constantFrom('T1', 'T2', ''),
    dno: fc.boolean(),
  })
  .map((s) => {
    const r = rng(s.seed);
    const pool = ['+12125550200', randomNumber(r), randomNumber(r), 'garbage', ''];
    return callsInHour(
      s.customer,
      s.hour,
      1,
      () => ({
        calling: s.dno ? '+12125550200' : r.pick(pool),
        // on-net and emergency destinations are counted apart and must merge like the rest
        called: r.pick(['+13125550300', randomNumber(r), '1008', '*97', '911']),
        answered: s.answered,
        durationS: s.dur,
        sipCode: s.sip,
        attestation: s.att,
        trunkId: s.trunk,
      }),
      s.seed,
    )[0];
  });

describe('aggregates merge', () => {
  it.each([Number.POSITIVE_INFINITY, 3])(
    'aggregate(a) merged with aggregate(b) equals aggregate(a + b) (exact limit %s)',
    (limit) => {
      fc.assert(
        fc.property(fc.array(callArb, { maxLength: 40 }), fc.array(callArb, { maxLength: 40 }), (a, b) => {
          expect(sorted(mergeMaps(aggregate(a, limit), aggregate(b, limit), limit))).toEqual(
            sorted(aggregate([...a, ...b], limit)),
          );
        }),
        { numRuns: 150 },
      );
    },
  );

  it('refuses to merge windows of different customers or hours', () => {
    const [a] = new Aggregator(emptyReference()).windows();
    const agg = new Aggregator(emptyReference());
    for (const c of callsInHour('C1', HOUR, 2, () => ({}))) agg.add(c);
    for (const c of callsInHour('C2', HOUR, 2, () => ({}))) agg.add(c);
    const [w1, w2] = agg.windows();
    expect(a).toBeUndefined();
    expect(() => mergeInto(w1, w2)).toThrow(/different keys/);
  });
});

describe('DistinctCounter', () => {
  it('is exact below the limit and within 3% of the truth in HyperLogLog mode', () => {
    const exact = new DistinctCounter(1000);
    for (let i = 0; i < 1000; i++) exact.add(12_000_000_000 + i * 7);
    expect(exact.isExact).toBe(true);
    expect(exact.count()).toBe(1000);
    for (const n of [5_000, 50_000, 300_000]) {
      const c = new DistinctCounter(1000);
      for (let i = 0; i < n; i++) c.add(12_125_550_000 + i * 13);
      expect(c.isExact).toBe(false);
      expect(Math.abs(c.count() - n) / n).toBeLessThan(0.03);
    }
  });

  it('estimates set difference for new-number share', () => {
    const seen = new DistinctCounter(100);
    const now = new DistinctCounter(100);
    for (let i = 0; i < 20_000; i++) seen.add(1e10 + i);
    for (let i = 10_000; i < 30_000; i++) now.add(1e10 + i); // half are new
    expect(Math.abs(now.countNotIn(seen) - 10_000) / 10_000).toBeLessThan(0.1);
    const small = new DistinctCounter();
    small.add(1);
    small.add(2);
    const prev = new DistinctCounter();
    prev.add(2);
    expect(small.countNotIn(prev)).toBe(1);
  });

  it('round-trips through JSON in both modes', () => {
    const c = new DistinctCounter(10);
    for (let i = 0; i < 50; i++) c.add(i);
    expect(DistinctCounter.fromJSON(JSON.parse(JSON.stringify(c.toJSON())), 10).count()).toBe(c.count());
    expect(() => DistinctCounter.fromJSON({ h: 'AAAA' })).toThrow(/registers must be/);
  });
});
