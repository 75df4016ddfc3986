import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import { emptyReference, type ReferenceData } from '../../shared/detect/reference.ts';
import { analyzeCalls, callsInHour, customer, HOUR, rng } from '../helpers/traffic.ts';

const H = HOUR_MS;
const DAY = Date.UTC(2026, 10, 27);

function ref(...ids: string[]): ReferenceData {
  const r = emptyReference();
  for (const id of ids) r.customers.set(id, customer(id, 'standard', 'conversational'));
  return r;
}

const isDay = (f: Finding) => f.metrics.active_hours !== undefined;
const codes = (f: Finding) => f.reasons.map((r) => r.code);

/** A robocaller's hour: `n` calls, 8% answered and those in 3 s, C-attested, a fresh caller ID each. */
function robocallHour(id: string, hourMs: number, n: number, seed: number): CallRecord[] {
  return callsInHour(
    id,
    hourMs,
    n,
    (i) => (i % 12 === 0 ? { durationS: 3, attestation: 'C' } : { answered: false, attestation: 'C' }),
    seed,
  );
}

/** a few numbers of the customer's own, for traffic that is not rotating caller IDs */
const OWN = ['+12126470100', '+12126470101', '+12126470102'];

/** An ordinary hour: 60% answered, calls of a few minutes, from a few numbers of the customer's. */
function ordinaryHour(id: string, hourMs: number, n: number, seed: number, asr = 0.6): CallRecord[] {
  const g = rng(seed);
  return callsInHour(
    id,
    hourMs,
    n,
    () => ({
      calling: g.pick(OWN),
      ...(g.next() < asr ? { durationS: g.int(40, 400) } : { answered: false }),
    }),
    seed,
  );
}

describe("a customer's day judged as a whole", () => {
  it('a robocaller kept under every hourly volume gate is judged over its day, with reasons that say so', () => {
    // 100 calls an hour: under the 120 the answer-rate and short-call rules judge an hour from
    const calls = [0, 1, 2].flatMap((h) => robocallHour('SPLIT', HOUR + h * H, 100, 10 + h));
    const findings = analyzeCalls(calls, ref('SPLIT'));
    expect(findings.filter((f) => !isDay(f))).toEqual([]);
    const [day, ...more] = findings.filter(isDay);
    expect(more).toEqual([]);
    expect([day.window_start, day.window_end]).toEqual(['2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z']);
    expect(['high', 'critical']).toContain(day.severity);
    expect(codes(day)).toEqual(
      expect.arrayContaining(['SHORT_CALL_RATIO', 'LOW_ASR', 'UNSIGNED_OR_GATEWAY_ATTESTATION']),
    );
    expect(day.metrics).toMatchObject({ calls: 300, active_hours: 3 });
    for (const r of day.reasons) expect(r.detail).toMatch(/over the customer's 3 active hours of the day$/);
  });

  it("an hour's reason stays the hour's: the day adds only what no hour of it showed", () => {
    const g = rng(4);
    // one busy hour of short calls (its own finding), then three C-attested hours under that rule's gate
    const busy = callsInHour(
      'MIX',
      HOUR,
      150,
      () => ({ calling: g.pick(OWN), durationS: g.next() < 0.8 ? 3 : 200 }),
      4,
    );
    const gateway = [1, 2, 3].flatMap((h) =>
      callsInHour(
        'MIX',
        HOUR + h * H,
        100,
        () => ({ calling: g.pick(OWN), durationS: 200, attestation: 'C' }),
        5 + h,
      ),
    );
    const findings = analyzeCalls([...busy, ...gateway], ref('MIX'));
    const hours = findings.filter((f) => !isDay(f));
    expect(hours.map((f) => [f.window_start, codes(f)])).toEqual([
      ['2026-11-27T14:00:00Z', ['SHORT_CALL_RATIO']],
    ]);
    // the day's short calls (120 of 450 answered) pass the threshold too, but hour 14:00 reported them
    const days = findings.filter(isDay);
    expect(days.map(codes)).toEqual([['UNSIGNED_OR_GATEWAY_ATTESTATION']]);
  });

  it('a busy working day and a quiet night are judged together, never the night alone', () => {
    // the night alone (240 calls, 10% answered) would be a low answer rate; the day as a whole is not
    const day = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((h) => ordinaryHour('SHOP', HOUR + h * H, 130, 20 + h));
    const night = [2, 3, 4, 5, 6, 7].flatMap((h) => ordinaryHour('SHOP', DAY + h * H, 40, 40 + h, 0.1));
    expect(analyzeCalls([...night, ...day], ref('SHOP'))).toEqual([]);
  });

  it("weighs a day's reason by its calls per active hour: the same calls spread thin are weaker evidence", () => {
    const g = rng(7);
    const shortHour = (id: string, h: number, n: number) =>
      callsInHour(
        id,
        DAY + h * H,
        n,
        () => ({ calling: g.pick(OWN), durationS: g.next() < 0.9 ? 3 : 200 }),
        60 + h,
      );
    const spread = Array.from({ length: 24 }, (_, h) => shortHour('THIN', h, 10)).flat();
    const packed = [13, 14, 15].flatMap((h) => shortHour('DENSE', h, 80));
    const findings = analyzeCalls([...spread, ...packed], ref('THIN', 'DENSE'));
    const thin = findings.filter((f) => f.customer_id === 'THIN');
    const dense = findings.filter((f) => f.customer_id === 'DENSE');
    expect(thin.map((f) => [codes(f), f.metrics.active_hours, f.severity])).toEqual([
      [['SHORT_CALL_RATIO', 'LOW_ACD'], 24, 'low'],
    ]);
    expect(dense.map((f) => [codes(f), f.metrics.active_hours])).toEqual([
      [['SHORT_CALL_RATIO', 'LOW_ACD'], 3],
    ]);
    expect(dense[0].score).toBeGreaterThan(thin[0].score);
  });

  it('a day-long sender of nothing but hang-ups under the hourly gates is high: its volume counts up to a working day', () => {
    // 80 calls an hour around the clock from its own numbers, 80% answered and every one in 3 s: no
    // hour reaches the short-call gate, and weighed per hour of its 24 the day was medium, no case
    const g = rng(13);
    const calls = Array.from({ length: 24 }, (_, h) =>
      callsInHour(
        'HANGUPS',
        DAY + h * H,
        80,
        () =>
          g.next() < 0.8 ? { calling: g.pick(OWN), durationS: 3 } : { calling: g.pick(OWN), answered: false },
        200 + h,
      ),
    ).flat();
    const day = analyzeCalls(calls, ref('HANGUPS')).filter(isDay);
    expect(day.map((f) => [codes(f), f.metrics.active_hours])).toEqual([
      [['SHORT_CALL_RATIO', 'LOW_ACD'], 24],
    ]);
    expect(day[0].severity).toBe('high');
  });

  it('a recorded-message sender on file as conversational: its short calls and their short average count once', () => {
    // a property manager's water-shutoff notices: 3 hours of 95 calls from its own numbers, A-attested,
    // 55% answered, 4 in 10 answered calls a few seconds long (hang-ups), the rest a 20-second message
    const g = rng(11);
    const calls = [14, 15, 16].flatMap((h) =>
      callsInHour(
        'NOTICES',
        DAY + h * H,
        95,
        () =>
          g.next() < 0.55
            ? { calling: g.pick(OWN), durationS: g.next() < 0.4 ? 3 : 20 }
            : { calling: g.pick(OWN), answered: false },
        90 + h,
      ),
    );
    const [day, ...more] = analyzeCalls(calls, ref('NOTICES'));
    expect(more).toEqual([]);
    // both facts are told, but they are one: the short calls make the short average
    expect(codes(day)).toEqual(['SHORT_CALL_RATIO', 'LOW_ACD']);
    expect(day.severity).toBe('medium');
    expect(day.score).toBeLessThan(65);
  });

  it('rules about one hour never judge a day: 1,440 numbers called over 24 hours is no fan-out', () => {
    const calls = Array.from({ length: 24 }, (_, h) => ordinaryHour('WIDE', DAY + h * H, 60, 80 + h)).flat();
    expect(calls.length).toBe(1440);
    expect(analyzeCalls(calls, ref('WIDE'))).toEqual([]);
  });

  it("a day's estimate of new caller IDs names the day, whose caller IDs it counts, not an hour", () => {
    // a day of the customer's own numbers gives the next day a history to call caller IDs new against
    const calls = [
      ...[9, 10].flatMap((h) => ordinaryHour('ROTATE', DAY + h * H, 20, 100 + h)),
      ...[9, 10, 11].flatMap((h) => robocallHour('ROTATE', DAY + 24 * H + h * H, 100, 110 + h)),
    ];
    const day = analyzeCalls(calls, ref('ROTATE')).find(
      (f) => isDay(f) && f.window_start === '2026-11-28T00:00:00Z',
    );
    const detail = day?.reasons.find((r) => r.code === 'ANI_ROTATION')?.detail;
    expect(detail).toMatch(
      /\(estimated: 300 of the day's 300 distinct caller IDs were new, taken to carry their share of the calls\); 300 distinct caller IDs in those hours/,
    );
    expect(detail).not.toContain("the hour's");
  });

  it('two UTC days are two day windows, each with its own hours', () => {
    const calls = [-2, -1, 0, 1].flatMap((h) => robocallHour('NIGHT', DAY + 24 * H + h * H, 100, 90 + h));
    const days = analyzeCalls(calls, ref('NIGHT'))
      .filter(isDay)
      .sort((a, b) => a.window_start.localeCompare(b.window_start));
    expect(days.map((f) => [f.window_start, f.metrics.calls, f.metrics.active_hours])).toEqual([
      ['2026-11-27T00:00:00Z', 200, 2],
      ['2026-11-28T00:00:00Z', 200, 2],
    ]);
  });
});
