import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import type { Customer } from '../../shared/detect/customers.ts';
import { workingHours } from '../../shared/detect/rules/VOLUME_SPIKE.ts';
import {
  analyzeCalls,
  callsInHour,
  codesFor,
  conversationsAveraging,
  customer,
  HOUR,
  randomNumber,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

/**
 * Legitimate traffic that looks like one reason on its own (night calls, a morning after an overnight
 * line, a burst over a declared peak), and abuse that hid under a rule's limit (caller IDs reused a
 * few times each). Each case names what a rule must still catch beside what it must let pass.
 */
const H = HOUR_MS;

const refOf = referenceWith;

const HIGH_OR_WORSE = ['high', 'critical'];

/** An hour of calls to Los Angeles at 05:xx local (13 UTC), answered at `asr`, lasting `durationS`. */
function nightHour(id: string, n: number, asr: number, durationS: number, seed: number): CallRecord[] {
  const g = rng(seed);
  const own = ['+12134567100', '+12134567101'];
  const length = conversationsAveraging(durationS);
  return callsInHour(
    id,
    Date.UTC(2026, 10, 27, 13),
    n,
    () => ({
      calling: g.pick(own),
      called: `+1310${g.int(2000000, 9999999)}`,
      ...(g.next() < asr ? { durationS: length() } : { answered: false }),
    }),
    seed,
  );
}

describe('calling hours: night calls that look like conversations', () => {
  it("a hospital's or a call centre's night calls, mostly answered and long, are a question (medium), not a case", () => {
    for (const profile of ['conversational', 'call_center'] as const) {
      const c = customer('NIGHT', 'standard', profile);
      const findings = analyzeCalls(nightHour('NIGHT', 200, 0.7, 240, 1), refOf(c));
      const codes = findings.flatMap((f) => f.reasons.map((r) => r.code));
      expect(codes, profile).toContain('OUTSIDE_CALLING_HOURS');
      expect(worstSeverity(findings, 'NIGHT'), profile).toBe('medium');
      expect(findings[0].reasons[0].detail).toMatch(
        /7\d% of them were answered and lasted 240 s on average, as conversations do/,
      );
    }
  });

  it("a dialer's or a new customer's night calls, and anyone's that are rarely answered or short, stay high", () => {
    const cases: Array<[string, Customer['vetting'], Customer['traffic_profile'], number, number, number]> = [
      // [id, vetting, profile, answer rate, seconds, seed]: conversation-like, but a new customer's
      ['NEW', 'new', 'conversational', 0.7, 240, 5],
      // conversation-like, but a dialer's
      ['DIAL', 'standard', 'dialer', 0.7, 240, 2],
      // answered, but short
      ['SHORT', 'standard', 'conversational', 0.7, 20, 3],
      // long, but rarely answered
      ['UNANS', 'standard', 'call_center', 0.3, 240, 4],
    ];
    for (const [id, vetting, profile, asr, seconds, seed] of cases) {
      const findings = analyzeCalls(
        nightHour(id, 200, asr, seconds, seed),
        refOf(customer(id, vetting, profile)),
      );
      expect(HIGH_OR_WORSE, id).toContain(worstSeverity(findings, id));
    }
  });
});

describe('fan-out of calls that look like conversations', () => {
  /** `hours` hours of `n` calls each to as many numbers, from 10 of the customer's numbers */
  function listHours(id: string, n: number, asr: number, hours: number, seed: number): CallRecord[] {
    const g = rng(seed);
    const own = Array.from({ length: 10 }, (_, i) => `+1312456${7100 + i}`);
    const length = conversationsAveraging(160);
    return Array.from({ length: hours }, (_, h) =>
      callsInHour(
        id,
        HOUR + h * H,
        n,
        () => ({
          calling: g.pick(own),
          called: randomNumber(g),
          ...(g.next() < asr ? { durationS: length() } : { answered: false }),
        }),
        seed + h,
      ),
    ).flat();
  }

  it("a trusted customer's list worked by people, hour after hour, is a question (medium), not a case", () => {
    const findings = analyzeCalls(
      listHours('LIST', 1200, 0.51, 3, 20),
      refOf(customer('LIST', 'trusted', 'conversational')),
    );
    expect(new Set(findings.flatMap((f) => f.reasons.map((r) => r.code)))).toEqual(new Set(['HIGH_FANOUT']));
    expect(worstSeverity(findings, 'LIST')).toBe('medium');
    const details = findings.map((f) => f.reasons[0].detail);
    for (const detail of details)
      expect(detail).toMatch(
        /; 5\d(\.\d)?% of them were answered and lasted 160 s on average, as conversations do \(.*\), so this reason is medium at most on its own/,
      );
    // the run still counts, and still stops at medium
    expect(details.some((d) => d.endsWith('; past its threshold 3 hours running'))).toBe(true);
  });

  it("a new customer's list, or one rarely answered, stays high", () => {
    const fresh = analyzeCalls(
      listHours('NEWL', 1200, 0.51, 3, 21),
      refOf(customer('NEWL', 'new', 'conversational')),
    );
    expect(HIGH_OR_WORSE).toContain(worstSeverity(fresh, 'NEWL'));
    const unanswered = analyzeCalls(
      listHours('RARE', 1200, 0.3, 3, 22),
      refOf(customer('RARE', 'trusted', 'conversational')),
    );
    expect(codesFor(unanswered, 'RARE')).toEqual(new Set(['HIGH_FANOUT']));
    expect(worstSeverity(unanswered, 'RARE')).toBe('high');
  });

  it('a list of twice the line or more an hour is more than people talking explain: high again', () => {
    // trusted line: 800 x 1.3 = 1,040 numbers; 2,100 is past twice that
    const busy = analyzeCalls(
      listHours('HUGE', 2100, 0.51, 3, 23),
      refOf(customer('HUGE', 'trusted', 'conversational')),
    );
    expect(codesFor(busy, 'HUGE')).toEqual(new Set(['HIGH_FANOUT']));
    expect(HIGH_OR_WORSE).toContain(worstSeverity(busy, 'HUGE'));
    expect(busy.flatMap((f) => f.reasons).some((r) => r.detail.includes('as conversations do'))).toBe(false);
  });
});

describe('volume spikes against the customer’s working hours', () => {
  it('workingHours leaves out an overnight trickle, but not the hours of a sustained burst', () => {
    // a day of 200 calls an hour, then a night of 2 an hour
    expect(workingHours([...Array(10).fill(200), ...Array(12).fill(2)])).toEqual(Array(10).fill(200));
    // an account at 50 an hour for 6 hours, then 2 hours at 500: its median stays 50
    expect(workingHours([50, 500, 50, 50, 50, 500, 50, 50])).toEqual([50, 50, 50, 50, 50, 50, 500, 500]);
    // a weekend of a security desk's nights is no working level at all
    expect(workingHours([2, 3, 12, 1, 19])).toEqual([]);
  });

  it("a business's first busy hour after its overnight line is no spike; a quiet account's burst is", () => {
    const g = rng(7);
    const own = ['+13124567100', '+13124567101', '+13124567102'];
    const calls = (id: string, hourMs: number, n: number, seed: number) =>
      callsInHour(id, hourMs, n, () => ({ calling: g.pick(own), durationS: g.int(60, 300) }), seed);
    const business = customer('HVAC', 'standard', 'conversational');
    const day = [
      // yesterday's working hours, then the night line, then this morning
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((h) => calls('HVAC', HOUR + h * H, 250, 10 + h)),
      ...[8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21].flatMap((h) =>
        calls('HVAC', HOUR + h * H, 3, 30 + h),
      ),
      ...calls('HVAC', HOUR + 22 * H, 280, 60),
    ];
    const hvac = analyzeCalls(day, refOf(business));
    expect(hvac.flatMap((f) => f.reasons.map((r) => r.code))).not.toContain('VOLUME_SPIKE');
    // a PBX on Monday morning after a weekend of its security desk's nights: no working hours to compare with
    const pbx = customer('PBX', 'standard', 'conversational');
    const monday = [
      ...[0, 1, 2, 3, 4, 5].flatMap((h) => calls('PBX', HOUR + h * H, 4 + h, 90 + h)),
      ...calls('PBX', HOUR + 6 * H, 300, 99),
    ];
    expect(analyzeCalls(monday, refOf(pbx)).flatMap((f) => f.reasons.map((r) => r.code))).not.toContain(
      'VOLUME_SPIKE',
    );
    // a quiet account at 25 calls an hour that turns to 400
    const quiet = customer('QUIET', 'standard', 'conversational');
    const burst = [
      ...[0, 1, 2, 3].flatMap((h) => calls('QUIET', HOUR + h * H, 25, 70 + h)),
      ...calls('QUIET', HOUR + 4 * H, 400, 80),
    ];
    expect(analyzeCalls(burst, refOf(quiet)).flatMap((f) => f.reasons.map((r) => r.code))).toContain(
      'VOLUME_SPIKE',
    );
  });
});

describe('an hour above the declared peak', () => {
  it('is medium at most on its own, like the other declarations', () => {
    const c = { ...customer('PEAK', 'standard', 'notifications'), declared_peak_per_hour: 100 };
    const own = ['+13124567100'];
    const calls = callsInHour('PEAK', HOUR, 1000, () => ({ calling: own[0], durationS: 40 }));
    const findings = analyzeCalls(calls, refOf(c));
    expect(findings.flatMap((f) => f.reasons.map((r) => r.code))).toEqual(['VOLUME_ABOVE_DECLARED']);
    expect(worstSeverity(findings, 'PEAK')).toBe('medium');
  });
});

describe('snowshoeing with caller IDs reused a few times', () => {
  it('fresh caller IDs used 4 to 6 times each still rotate', () => {
    const g = rng(9);
    const pool = Array.from({ length: 120 }, () => randomNumber(g));
    // 600 calls from 120 fresh caller IDs: 5 each, B-attested, answered and long enough for no other rule
    const calls = callsInHour('SNOW', HOUR, 600, (i) => ({
      calling: pool[i % pool.length],
      attestation: 'B',
      durationS: 90,
    }));
    const findings = analyzeCalls(calls, refOf(customer('SNOW', 'standard', 'conversational')));
    expect(findings.flatMap((f) => f.reasons.map((r) => r.code))).toContain('ANI_ROTATION');
  });
});
