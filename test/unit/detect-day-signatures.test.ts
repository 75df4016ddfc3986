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
 * neighbour caller IDs at 50 to 99 calls an hour. Every hour stays under the rule's gate of 100 calls,
 * so only the day shows it, and the day used to weigh it per active hour (medium). Beside each, the
 * look-alike the day must let pass.
 */
const H = HOUR_MS;
const DAY = Date.UTC(2026, 11, 1);
const HIGH_OR_WORSE = ['high', 'critical'];

const isDay = (f: Finding) => f.metrics.active_hours !== undefined;

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
      expect(
        findings.filter((f) => !isDay(f)),
        id,
      ).toEqual([]);
      const [day, ...more] = findings;
      expect(more, id).toEqual([]);
      expect(
        day.reasons.map((r) => r.code),
        id,
      ).toEqual(['NEIGHBOR_SPOOFING']);
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
