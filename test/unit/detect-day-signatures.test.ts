import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import { NumberInventory } from '../../shared/detect/reference.ts';
import {
  analyzeCalls,
  callsInHour,
  codesFor,
  conversationsAveraging,
  customer,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

/**
 * A textbook signature that describes a customer's whole day under the hourly volume gates: spoofed
 * neighbour caller IDs at 50 to 99 calls an hour, calls to strangers at 2-5 am at a few dozen to 99 an
 * hour. Every hour stays under the rule's gate of 100 calls, so only the day shows it, and the day used
 * to weigh it per active hour (medium) or, for calling hours, not at all. Beside each, the look-alike
 * the day must let pass.
 */
const H = HOUR_MS;
const DAY = Date.UTC(2026, 11, 1);
const HIGH_OR_WORSE = ['high', 'critical'];

const isDay = (f: Finding) => f.metrics.active_hours !== undefined;

/** The one finding of `findings`, a day's, with `code` as its one reason: no hour showed anything. */
function onlyDayFinding(findings: Finding[], id: string, code: string): Finding {
  expect(
    findings.filter((f) => !isDay(f)),
    id,
  ).toEqual([]);
  const [day, ...more] = findings;
  expect(more, id).toEqual([]);
  expect(
    day.reasons.map((r) => r.code),
    id,
  ).toEqual([code]);
  return day;
}
const reasonOf = (findings: Finding[], id: string, code: string) =>
  findings.filter((f) => f.customer_id === id).flatMap((f) => f.reasons.filter((r) => r.code === code));

/** Ten exchanges a neighbour spoofer targets, each from one caller ID in it (NPA-NXX + 7000). */
const EXCHANGES = ['212736', '212947', '617284', '404523', '215439', '703658', '718362', '973428', '312596'];

/**
 * `perHour` calls an hour from 14 to 21 UTC, each to a number in one of EXCHANGES and presenting a
 * caller ID in the same exchange: 42% answered, lasting 56 s on average, B-attested (as the tester's).
 */
function neighbourDay(id: string, perHour: number, seed: number): CallRecord[] {
  const g = rng(seed);
  const length = conversationsAveraging(56);
  return Array.from({ length: 8 }, (_, h) =>
    callsInHour(
      id,
      DAY + (14 + h) * H,
      perHour,
      (i) => {
        const exchange = g.pick(EXCHANGES);
        return {
          calling: `+1${exchange}7000`,
          called: `+1${exchange}${String(g.int(0, 9999)).padStart(4, '0')}`,
          attestation: 'B',
          ...(i % 50 < 21 ? { durationS: length() } : { answered: false }),
        };
      },
      seed + h,
    ),
  ).flat();
}

/**
 * `perHour` calls an hour in the UTC hours given, from the customer's own number to New York numbers,
 * 40% answered at 56 s on average: conversation-like figures. 07-10 UTC is 02:00-05:59 in New York.
 */
function nightCalls(id: string, hours: number[], perHour: number, seed: number, asr = 0.4): CallRecord[] {
  const g = rng(seed);
  const length = conversationsAveraging(56);
  return hours.flatMap((hour) =>
    callsInHour(
      id,
      DAY + hour * H,
      perHour,
      (i) => ({
        calling: '+17184630014',
        called: `+1212${g.int(2000000, 9999999)}`,
        ...(i % 10 < asr * 10 ? { durationS: length() } : { answered: false }),
      }),
      seed + hour,
    ),
  );
}

describe('neighbour spoofing on every call of a day under the hourly gate', () => {
  it('is high at 99, 90 and 50 calls an hour over eight hours (it was medium, weighed per active hour)', () => {
    for (const [id, perHour] of [
      ['N99', 99],
      ['N90', 90],
      ['N50', 50],
    ] as const) {
      const findings = analyzeCalls(
        neighbourDay(id, perHour, perHour),
        referenceWith(customer(id, 'standard', 'conversational')),
      );
      // no hour reaches the rule's gate: the day alone shows it
      const day = onlyDayFinding(findings, id, 'NEIGHBOR_SPOOFING');
      expect(day.reasons[0].detail, id).toBe(
        `100% of ${perHour * 8} calls showed a caller ID in the called party's own NPA-NXX that the customer does not hold (${perHour * 8} calls); over the customer's 8 active hours of the day`,
      );
      expect(day.severity, id).toBe('high');
    }
  });

  it('a business calling its own exchange from numbers it holds is none, at the same volume', () => {
    const own = EXCHANGES.map((e) => `+1${e}7000`);
    const r = referenceWith(customer('OWN', 'standard', 'conversational'));
    r.inventory = new NumberInventory();
    for (const n of own) r.inventory.add('OWN', n);
    expect(analyzeCalls(neighbourDay('OWN', 90, 90), r)).toEqual([]);
  });

  it('a new customer needs fewer such calls, and is medium where an hour of as many would be', () => {
    // a new customer's gate is 70 calls an hour; 40 spoofed calls over two hours: 40 of the 35 its day
    // needs (half its gate), weighed as 40 of the 50 a full hour's majority is: medium
    const calls = neighbourDay('NEWN', 20, 7).filter((c) => c.startMs < DAY + 16 * H);
    const findings = analyzeCalls(calls, referenceWith(customer('NEWN', 'new', 'conversational')));
    expect(codesFor(findings, 'NEWN')).toEqual(new Set(['NEIGHBOR_SPOOFING']));
    expect(worstSeverity(findings, 'NEWN')).toBe('medium');
  });

  it('a dozen spoofed calls, or spoofing on under half of a day of 400 calls, is no case', () => {
    const dozen = neighbourDay('DOZEN', 2, 3).slice(0, 12);
    expect(
      worstSeverity(
        analyzeCalls(dozen, referenceWith(customer('DOZEN', 'standard', 'conversational'))),
        'DOZEN',
      ),
    ).toBe('none');
    // 45% of the day's calls spoofed, the rest from the customer's own number to elsewhere: weighed
    // per active hour (50 calls an hour), as before
    const g = rng(5);
    const some = neighbourDay('SOME', 50, 5).map((c, i) =>
      i % 20 < 11 ? { ...c, calling: '+13125550100', called: `+1415${g.int(2000000, 9999999)}` } : c,
    );
    const findings = analyzeCalls(some, referenceWith(customer('SOME', 'standard', 'conversational')));
    expect(codesFor(findings, 'SOME')).toContain('NEIGHBOR_SPOOFING');
    expect(HIGH_OR_WORSE).not.toContain(worstSeverity(findings, 'SOME'));
  });
});

describe("calls outside calling hours judged on the share of the customer's day", () => {
  it('a night caller under the hourly gate is high on its day, though its calls look like conversations', () => {
    // 90 and 99 calls an hour from 02:00 to 05:59 in New York; 60 calls over three hours of 20
    for (const [id, hours, perHour] of [
      ['Z90', [7, 8, 9, 10], 90],
      ['Z99', [7, 8, 9, 10], 99],
      ['Z20', [7, 8, 9], 20],
    ] as const) {
      const findings = analyzeCalls(
        nightCalls(id, [...hours], perHour, perHour),
        referenceWith(customer(id, 'standard', 'conversational')),
      );
      const day = onlyDayFinding(findings, id, 'OUTSIDE_CALLING_HOURS');
      expect(day.reasons[0].detail, id).toMatch(
        new RegExp(
          `^100% of ${hours.length * perHour} calls reached the called party before 8:00 or after 21:00 local time; 4\\d(\\.\\d)?% of them were answered and lasted 5\\d s on average, as conversations do, but they were most of the customer's calls that day: a day spent calling people outside calling hours is no 24-hour business's night; over the customer's ${hours.length} active hours of the day$`,
        ),
      );
      expect(day.severity, id).toBe('high');
    }
  });

  it('at 101 calls an hour, hours held to medium as conversations, the day reports it in full', () => {
    const findings = analyzeCalls(
      nightCalls('Z101', [7, 8, 9, 10], 101, 101),
      referenceWith(customer('Z101', 'standard', 'conversational')),
    );
    const hours = findings.filter((f) => !isDay(f));
    expect(hours.map((f) => f.severity)).toEqual(['medium', 'medium', 'medium', 'medium']);
    const days = findings.filter(isDay);
    expect(days.map((f) => [f.reasons.map((r) => r.code), f.severity])).toEqual([
      [['OUTSIDE_CALLING_HOURS'], 'high'],
    ]);
  });

  it('a daytime customer whose day includes a few night calls is no night caller, nor are a dozen calls', () => {
    // 90 calls an hour from 9:00 to 16:59 in New York, and 30 an hour from 02:00 to 04:59: each night
    // hour is all outside calling hours, the day is 11% so
    const g = rng(9);
    const daytime = Array.from({ length: 8 }, (_, h) =>
      callsInHour(
        'SHOP',
        DAY + (14 + h) * H,
        90,
        () => ({
          calling: '+17184630014',
          called: `+1212${g.int(2000000, 9999999)}`,
          durationS: g.int(40, 400),
        }),
        30 + h,
      ),
    ).flat();
    const findings = analyzeCalls(
      [...nightCalls('SHOP', [7, 8, 9], 30, 11, 0.1), ...daytime],
      referenceWith(customer('SHOP', 'standard', 'conversational')),
    );
    expect(findings).toEqual([]);
    const dozen = nightCalls('FEW', [7, 8], 6, 13);
    expect(analyzeCalls(dozen, referenceWith(customer('FEW', 'standard', 'conversational')))).toEqual([]);
  });

  it("a 24-hour business's calls spread around the clock are no night calling, for a new customer either", () => {
    // 40 calls an hour, every hour of the UTC day, to New York and Miami: 11 or 12 of every 24 hours
    // are outside calling hours there, near half of the day's calls, past a new customer's 35% line
    for (const vetting of ['new', 'standard'] as const) {
      const g = rng(17);
      const calls = Array.from({ length: 24 }, (_, h) =>
        callsInHour(
          'ALLDAY',
          DAY + h * H,
          40,
          (i) => ({
            calling: '+17184630014',
            called: `+1${i % 4 === 0 ? '305' : '212'}${g.int(2000000, 9999999)}`,
            ...(i % 10 < 6 ? { durationS: g.int(40, 400) } : { answered: false }),
          }),
          50 + h,
        ),
      ).flat();
      const findings = analyzeCalls(calls, referenceWith(customer('ALLDAY', vetting, 'call_center')));
      expect(codesFor(findings, 'ALLDAY'), vetting).not.toContain('OUTSIDE_CALLING_HOURS');
    }
  });

  it('a conferencing bridge dialling out at 05:00-07:00 in California among its day stays a question', () => {
    // 140 calls an hour from 13 to 23 UTC to New York, Chicago and Los Angeles, 85% answered, 10-60
    // minutes long: its 13:00 UTC hour is mostly outside calling hours in Chicago and Los Angeles
    const g = rng(21);
    const areas = ['212', '312', '213'];
    const calls = Array.from({ length: 11 }, (_, h) =>
      callsInHour(
        'BRIDGE',
        DAY + (13 + h) * H,
        140,
        (i) => ({
          calling: '+13127250000',
          called: `+1${areas[i % 3]}${g.int(2000000, 9999999)}`,
          ...(i % 20 < 17 ? { durationS: g.int(600, 3600) } : { answered: false }),
        }),
        40 + h,
      ),
    ).flat();
    const findings = analyzeCalls(calls, referenceWith(customer('BRIDGE', 'standard', 'conversational')));
    expect(codesFor(findings, 'BRIDGE')).toEqual(new Set(['OUTSIDE_CALLING_HOURS']));
    expect(findings.filter(isDay)).toEqual([]);
    expect(worstSeverity(findings, 'BRIDGE')).toBe('medium');
    expect(reasonOf(findings, 'BRIDGE', 'OUTSIDE_CALLING_HOURS')[0].detail).toMatch(/as conversations do \(/);
  });

  it('a customer exempted by id, and a provider, stay out of the day as of the hour', () => {
    const calls = [
      ...nightCalls('EXEMPT', [7, 8, 9, 10], 90, 1),
      ...nightCalls('CARRIER', [7, 8, 9, 10], 90, 2),
    ];
    const r = referenceWith(customer('EXEMPT', 'standard', 'conversational'), {
      ...customer('CARRIER', 'standard', 'conversational'),
      provider: true,
    });
    expect(
      analyzeCalls(calls, r, null, { rules: { OUTSIDE_CALLING_HOURS: { exemptCustomers: ['EXEMPT'] } } }),
    ).toEqual([]);
  });
});
