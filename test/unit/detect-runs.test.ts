import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import {
  analyzeCalls,
  callsInHour,
  codesFor,
  customer,
  HOUR,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

/**
 * A reason that fires hour after hour counts as fully evidenced ("past its threshold N hours
 * running"), but only for a pattern that went on: not for one burst that a clock hour cuts in two,
 * and not for a low answer rate whose answered calls are conversations (a list dialled by people).
 */
const OWN = ['+12026724143', '+12026724144', '+12026724145'];

/** `n` calls evenly from `fromMs` over `minutes`, a share `shortShare` of them answered and hung up in 3 s. */
function shortCalls(
  id: string,
  fromMs: number,
  minutes: number,
  n: number,
  shortShare: number,
): CallRecord[] {
  const calls = callsInHour(
    id,
    fromMs,
    n,
    (i) => ({
      calling: OWN[i % OWN.length], // every (1/shortShare)th call, so any stretch of the calls holds the same share
      durationS: Math.floor((i + 1) * shortShare) > Math.floor(i * shortShare) ? 3 : 90 + (i % 120),
    }),
    3,
  );
  // callsInHour spreads its calls over one hour: stretch them over `minutes`
  for (const c of calls) c.startMs = fromMs + Math.floor(((c.startMs - fromMs) * minutes) / 60);
  return calls;
}

function runText(findings: Finding[], id: string): string[] {
  return findings
    .filter((f) => f.customer_id === id)
    .flatMap((f) => f.reasons.map((r) => r.detail))
    .filter((d) => d.includes('hours running'));
}

describe('runs of hours past a threshold', () => {
  it('a burst of an hour and a quarter across a clock hour is one event, not a run; two hours of the same calls are a run', () => {
    const c = customer('BURST', 'standard', 'conversational');
    // 25% of answered calls under 6 s against a 20% line: just past, `low` in any one hour
    const burst = analyzeCalls(shortCalls('BURST', HOUR + HOUR_MS / 2, 75, 600, 0.25), referenceWith(c));
    expect(burst.filter((f) => f.customer_id === 'BURST').length).toBeGreaterThanOrEqual(2);
    expect(runText(burst, 'BURST')).toEqual([]);
    expect(worstSeverity(burst, 'BURST')).toBe('low');

    const steady = customer('STEADY', 'standard', 'conversational');
    const run = analyzeCalls(shortCalls('STEADY', HOUR, 120, 1200, 0.25), referenceWith(steady));
    expect(runText(run, 'STEADY')[0]).toMatch(/past its threshold 2 hours running/);
    expect(worstSeverity(run, 'STEADY')).toBe('high');
  });

  /** `hours` hours of `perHour` calls each answered at `asr`, lasting `durationS` when answered. */
  function dialling(
    id: string,
    hours: number,
    perHour: number,
    asr: number,
    durationS: number,
  ): CallRecord[] {
    const out: CallRecord[] = [];
    for (let h = 0; h < hours; h++) {
      const g = rng(11 + h);
      out.push(
        ...callsInHour(
          id,
          HOUR + h * HOUR_MS,
          perHour,
          (i) => ({
            calling: OWN[i % OWN.length],
            ...(g.next() < asr ? { durationS: durationS + (i % 40) } : { answered: false }),
          }),
          20 + h,
        ),
      );
    }
    return out;
  }

  it('a survey dialler answered one call in ten, then talking for minutes, is not made high by its hours', () => {
    const poll = customer('POLL', 'standard', 'dialer');
    // 9% answered against the dialer line of 12%, for five hours, answered calls about 5 minutes long
    const findings = analyzeCalls(dialling('POLL', 5, 1200, 0.09, 280), referenceWith(poll));
    const details = findings.filter((f) => f.customer_id === 'POLL').flatMap((f) => f.reasons);
    expect(details.map((r) => r.code)).toContain('LOW_ASR');
    expect(runText(findings, 'POLL')).toEqual([]);
    expect(details.find((r) => r.code === 'LOW_ASR')?.detail).toMatch(/answered calls averaged \d{3} s/);
    expect(['low', 'medium']).toContain(worstSeverity(findings, 'POLL'));
  });

  it('the same answer rate with answered calls a few seconds long is a run, and high', () => {
    const robo = customer('ROBO', 'standard', 'dialer');
    const findings = analyzeCalls(dialling('ROBO', 5, 1200, 0.09, 4), referenceWith(robo));
    expect(runText(findings, 'ROBO').some((d) => /only 9(\.\d)?% .*hours running/.test(d))).toBe(true);
    expect(['high', 'critical']).toContain(worstSeverity(findings, 'ROBO'));
  });

  it('a low answer rate far below the line is high on its own, conversations or not', () => {
    const c = customer('FAR', 'standard', 'dialer');
    // 5% against 12%: more than twice below
    const findings = analyzeCalls(dialling('FAR', 1, 2000, 0.05, 280), referenceWith(c));
    expect(['high', 'critical']).toContain(worstSeverity(findings, 'FAR'));
  });

  /**
   * `hours` hours of `perHour` recorded messages from the customer's one number (in its inventory,
   * A-attested), each answered at `asr` and `lengthS(i)` long when answered
   */
  function messages(
    id: string,
    hours: number,
    perHour: number,
    asr: number,
    lengthS: (i: number) => number,
  ): CallRecord[] {
    return Array.from({ length: hours }, (_, h) => {
      const g = rng(50 + h);
      return callsInHour(
        id,
        HOUR + h * HOUR_MS,
        perHour,
        (i) => ({
          calling: REMINDER_NUMBER,
          ...(g.next() < asr ? { durationS: lengthS(i) } : { answered: false }),
        }),
        60 + h,
      );
    }).flat();
  }

  const REMINDER_NUMBER = '+16175320036';
  function withNumber(c: ReturnType<typeof customer>) {
    const ref = referenceWith(c);
    ref.inventory.add(c.customer_id, REMINDER_NUMBER);
    return ref;
  }

  it('a reminders platform whose patients often do not pick up (a third answered, hour after hour) opens no case', () => {
    // 300 reminders an hour for 9 hours, 18-35 s each, about 35% answered, as automated reminders are:
    // a line inside that range (notifications' 40%) made every hour of the run high
    for (const vetting of ['standard', 'trusted'] as const) {
      const c = customer('REMIND', vetting, 'notifications');
      const findings = analyzeCalls(
        messages('REMIND', 9, 300, 0.35, (i) => 18 + (i % 18)),
        withNumber(c),
      );
      expect(['none', 'low', 'medium'], vetting).toContain(worstSeverity(findings, 'REMIND'));
      expect(codesFor(findings, 'REMIND').has('LOW_ASR'), vetting).toBe(false);
    }
  });

  it('a campaign on a notifications account is still high: a robocall answer rate at once, one just under the line by persisting', () => {
    const c = customer('CAMP', 'standard', 'notifications');
    // 10% answered, messages of 3-7 s: more than twice below the line, high from its first hour
    const blatant = analyzeCalls(
      messages('CAMP', 1, 300, 0.1, (i) => 3 + (i % 5)),
      withNumber(c),
    );
    expect(codesFor(blatant, 'CAMP')).toEqual(new Set(['LOW_ASR']));
    expect(['high', 'critical']).toContain(worstSeverity(blatant, 'CAMP'));
    // about 20% answered, hour after hour: a little under the line in each hour, high once it persists
    const persisting = analyzeCalls(
      messages('CAMP', 4, 300, 0.2, (i) => 3 + (i % 5)),
      withNumber(c),
    );
    expect(codesFor(persisting, 'CAMP')).toEqual(new Set(['LOW_ASR']));
    const runs = persisting.filter((f) => f.reasons[0].detail.includes('hours running'));
    expect(runs.length).toBeGreaterThan(0);
    for (const f of runs) {
      // not half the line: high by persisting, not by its margin
      expect(f.reasons[0].observed).toBeGreaterThan(0.125);
      expect(f.severity).toBe('high');
    }
  });
});
