import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aggregateFiles } from '../../cli/analyze-files.ts';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS, ZoneClock } from '../../shared/cdr/time.ts';
import { scoreAll } from '../../shared/detect/analysis.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { NumberInventory } from '../../shared/detect/reference.ts';
import type { FiredReason } from '../../shared/detect/rules/evaluate.ts';
import { combineScore, reasonStrength } from '../../shared/detect/score.ts';
import { TracebackHistory } from '../../shared/detect/traceback-history.ts';
import {
  analyzeCalls,
  callsInHour,
  customer,
  HOUR,
  randomNumber,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

const H = HOUR_MS;

const ref = referenceWith;

const worst = worstSeverity;

function reason(excess: number, volume: number, weight = 65): FiredReason {
  return { code: 'SHORT_CALL_RATIO', observed: 0, threshold: 0, detail: '', weight, excess, volume };
}

describe('the severity formula', () => {
  it('weighs a reason by excess x volume: 26 at the threshold, 65 fully evidenced', () => {
    expect(reasonStrength(reason(0, 1))).toBeCloseTo(26);
    expect(reasonStrength(reason(1, 1))).toBeCloseTo(65);
    expect(reasonStrength(reason(1, 0.5))).toBeCloseTo(45.5);
    expect(reasonStrength(reason(0.5, 1))).toBeCloseTo(45.5);
  });

  it('puts one reason on the severity lines exactly: high needs full evidence, medium 36% of it', () => {
    expect(combineScore([reason(1, 1)])).toBe(65);
    expect(combineScore([reason(1, 0.99)])).toBe(64);
    // medium from 40: 65 x (0.4 + 0.6 x e) >= 40 when e >= 0.359
    expect(combineScore([reason(0.36, 1)])).toBe(40);
    expect(combineScore([reason(0.358, 1)])).toBe(39);
  });

  it('combines independent reasons: two half-evidenced ones make high, two at the threshold medium', () => {
    expect(combineScore([reason(0.5, 1), reason(0.5, 1)])).toBeGreaterThanOrEqual(65);
    expect(combineScore([reason(0, 1), reason(0, 1)])).toBe(45);
    expect(combineScore([reason(0, 1)])).toBe(26);
  });
});

/** `n` short-call-heavy calls (80% of answered calls under 6 s) from a pool of the customer's numbers. */
function shortCalls(id: string, n: number, seed: number, numbers = pool(20, seed)): CallRecord[] {
  const g = rng(seed);
  return callsInHour(id, HOUR, n, () => ({ calling: g.pick(numbers), durationS: g.next() < 0.8 ? 3 : 200 }));
}

function pool(n: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => randomNumber(r));
}

describe('volume decides how far one reason goes', () => {
  it('the same 80% short calls: high on 150 answered calls, medium on 99', () => {
    // a dialer's volume gate is 120 attempts; 99 answered calls of 150 attempts are below full volume
    const big = shortCalls('BIG', 150, 1);
    const small = shortCalls('SMALL', 150, 2).map((c, i) =>
      i < 51 ? { ...c, answered: false, durationS: 0, sipCode: 486 } : c,
    );
    const r = ref(
      customer('BIG', 'standard', 'conversational'),
      customer('SMALL', 'standard', 'conversational'),
    );
    const findings = analyzeCalls([...big, ...small], r);
    expect(worst(findings, 'BIG')).toBe('high');
    expect(worst(findings, 'SMALL')).toBe('medium');
  });

  it('a trusted customer with a few short calls raises nothing', () => {
    const r = ref(customer('T', 'trusted', 'conversational'));
    expect(analyzeCalls(shortCalls('T', 40, 3), r)).toEqual([]);
  });
});

describe('rules that see through profiles', () => {
  it('a new conversational customer calling consumers at 02:00-04:59 their time is high', () => {
    const r = ref(customer('NIGHT', 'new', 'conversational'));
    const numbers = pool(30, 4);
    const g = rng(4);
    // 07:00-09:59 UTC is 02:00-04:59 in New York in November
    const calls = [0, 1, 2].flatMap((h) =>
      callsInHour('NIGHT', Date.UTC(2026, 10, 27, 7 + h), 300, () => ({
        calling: g.pick(numbers),
        called: `+1212${String(g.int(2000000, 9999999))}`,
      })),
    );
    const findings = analyzeCalls(calls, r);
    expect(worst(findings, 'NIGHT')).toBe('high');
    expect(findings[0].reasons.map((x) => x.code)).toContain('OUTSIDE_CALLING_HOURS');
  });

  it('notifications (appointment reminders, school closings) are exempt from calling hours and spikes', () => {
    const r = ref(customer('SCHOOL', 'standard', 'notifications'));
    r.inventory.add('SCHOOL', '+1212987*');
    const g = rng(5);
    const calls: CallRecord[] = [];
    // four quiet hours, then a school closing at 06:00 New York time to 2,000 parents
    for (let h = 0; h < 4; h++)
      calls.push(
        ...callsInHour('SCHOOL', HOUR - (5 - h) * H, 40, () => ({ calling: '+12129871000' }), 10 + h),
      );
    calls.push(
      ...callsInHour('SCHOOL', Date.UTC(2026, 10, 27, 11), 2000, () => ({
        calling: '+12129871000',
        called: `+1212${String(g.int(2000000, 9999999))}`,
        durationS: g.int(20, 40),
      })),
    );
    expect(analyzeCalls(calls, r).filter((f) => f.customer_id === 'SCHOOL')).toEqual([]);
  });

  it('exempted customers are not held to calling hours', () => {
    // a dialer calling with documented consent (its calls look like conversations, which only a dialer's stay high on)
    const r = ref(customer('EBR', 'standard', 'dialer'));
    const g = rng(6);
    const calls = callsInHour('EBR', Date.UTC(2026, 10, 27, 7), 300, () => ({
      called: `+1212${String(g.int(2000000, 9999999))}`,
      calling: '+12129871000',
    }));
    const policy = { rules: { OUTSIDE_CALLING_HOURS: { exemptCustomers: ['EBR'] } } };
    expect(analyzeCalls(calls, r, null, policy)).toEqual([]);
    expect(worst(analyzeCalls(calls, r), 'EBR')).toBe('high');
  });
});

describe('ANI rotation weighs fresh caller IDs, not how many there are', () => {
  function callCenter(id: string, numbers: string[], n: number, seed: number): CallRecord[] {
    const g = rng(seed);
    return callsInHour(id, HOUR, n, (i) => ({
      calling: numbers[i % numbers.length],
      answered: g.next() < 0.5,
      durationS: g.int(40, 300),
    }));
  }

  it('a call center using 800 numbers of its own DID pool once or twice each stays quiet', () => {
    const numbers = Array.from({ length: 800 }, (_, i) => `+1212987${String(1000 + i)}`);
    const r = ref(customer('DID', 'standard', 'call_center'));
    r.inventory.add('DID', '+1212987*');
    expect(analyzeCalls(callCenter('DID', numbers, 1200, 7), r)).toEqual([]);
  });

  it('without an inventory, a DID pool in its first hour is medium at most, and quiet once it is known', () => {
    const numbers = Array.from({ length: 300 }, (_, i) => `+1212987${String(1000 + i)}`);
    const r = ref(customer('POOL', 'standard', 'call_center'));
    const first = callCenter('POOL', numbers, 600, 11);
    const second = callCenter('POOL', numbers, 600, 12).map((c) => ({ ...c, startMs: c.startMs + H }));
    const findings = analyzeCalls([...first, ...second], r);
    expect(findings.map((f) => [f.window_start.slice(11, 13), f.severity, f.reasons[0].code])).toEqual([
      ['14', 'medium', 'ANI_ROTATION'],
    ]);
  });

  it('a "call center" cycling 400 fresh numbers, each once, none in its inventory, is high on that alone', () => {
    const r = ref(customer('SNOW', 'standard', 'call_center'));
    r.inventory.add('SNOW', '+1212987*');
    // B-attested, so A-attestation on foreign numbers does not add its own reason
    const calls = callCenter('SNOW', pool(400, 8), 400, 8).map((c) => ({ ...c, attestation: 'B' as const }));
    const findings = analyzeCalls(calls, r);
    expect(worst(findings, 'SNOW')).toBe('high');
    expect(findings[0].reasons.map((x) => x.code)).toEqual(['ANI_ROTATION']);
  });
});

describe('hard rules graded by volume', () => {
  function withInvalid(id: string, invalid: number): CallRecord[] {
    const g = rng(9);
    const numbers = pool(10, 9);
    return callsInHour(id, HOUR, 60, (i) => ({ calling: i < invalid ? '1008' : g.pick(numbers) }));
  }

  it('9 calls presenting an extension to the PSTN are medium, 10 are high', () => {
    const r = ref(
      customer('X9', 'standard', 'conversational'),
      customer('X10', 'standard', 'conversational'),
    );
    const findings = analyzeCalls([...withInvalid('X9', 9), ...withInvalid('X10', 10)], r);
    expect(worst(findings, 'X9')).toBe('medium');
    expect(worst(findings, 'X10')).toBe('high');
    const detail = findings.find((f) => f.customer_id === 'X9')?.reasons[0].detail;
    expect(detail).toMatch(/switch should have blocked them/);
  });

  it('one call from a Do-Not-Originate number is high', () => {
    const r = ref(customer('D', 'trusted', 'conversational'));
    r.dno.add('+12025550143');
    const calls = callsInHour('D', HOUR, 30, (i) => ({ calling: i === 0 ? '+12025550143' : '+12129871000' }));
    expect(worst(analyzeCalls(calls, r), 'D')).toBe('high');
  });
});

describe('a small PBX', () => {
  it('extensions calling extensions, feature codes, voicemail and a few outbound calls from extensions: nothing high', () => {
    const r = ref(customer('PBX', 'standard', 'conversational'));
    r.inventory = new NumberInventory();
    r.inventory.add('PBX', '+12129870100');
    const exts = ['1001', '1008', '2001', '3500'];
    const g = rng(10);
    const calls: CallRecord[] = [];
    for (let h = 0; h < 8; h++)
      calls.push(
        ...callsInHour(
          'PBX',
          HOUR + h * H,
          90,
          (i) => {
            const from = g.pick(exts);
            if (i % 30 === 0)
              return { calling: from, called: `9011442079460${String(100 + i)}`.slice(0, 15) };
            if (i % 30 === 1) return { calling: from, called: '+12025550143' }; // extension presented to the PSTN
            if (i % 30 === 2) return { calling: '+12129870100', called: '+13105550188' };
            if (i % 10 === 3) return { calling: from, called: '*97', durationS: 20 };
            if (i % 10 === 4) return { calling: from, called: 'voicemail', durationS: 15 };
            if (i % 10 === 5) return { calling: from, called: '911', durationS: 60 };
            return { calling: from, called: g.pick(exts), durationS: g.int(2, 400) };
          },
          20 + h,
        ),
      );
    const findings = analyzeCalls(calls, r);
    expect(findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
    expect(findings.length).toBeGreaterThan(0);
    // what did fire is the switch's leak: a handful of PSTN calls from extensions, at most medium; each
    // hour for the extensions presented, the day as a whole for the A attestation they carried: 48 of
    // its 72 PSTN calls, a signature on most of the day's calls, weighed by those 48 (medium, under the
    // 50 that would make it high)
    const hours = findings.filter((f) => f.metrics.active_hours === undefined);
    expect(hours.length).toBeGreaterThan(0);
    for (const f of hours) {
      expect(f.reasons.map((x) => x.code)).toEqual(['INVALID_CALLING_NUMBER']);
      expect(f.metrics.on_net_calls).toBeGreaterThan(60);
    }
    const days = findings.filter((f) => f.metrics.active_hours !== undefined);
    expect(days.map((f) => [f.window_start, f.window_end, f.severity, f.reasons.map((x) => x.code)])).toEqual(
      [['2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z', 'medium', ['ATTESTATION_MISMATCH']]],
    );
  });

  it('a FreeSWITCH Master.csv of a small office, read as the CLI reads it: on-net counted, nothing high', async () => {
    // 240 rows: extension to extension, *97/*98/*72/*60, voicemail, one 911, 9011 international via
    // the outside line (PSTN calls too), and 10 PSTN calls presenting an extension as caller ID
    const path = fileURLToPath(new URL('../fixtures/pbx/freeswitch-pbx.csv', import.meta.url));
    const r = ref(customer('PBX1', 'standard', 'conversational'));
    const { aggregator, totals } = await aggregateFiles([{ path, size: statSync(path).size }], r, {
      format: 'freeswitch',
      zone: new ZoneClock('America/New_York'),
    });
    expect(totals).toMatchObject({ rows: 240, quarantined: 0 });
    const windows = aggregator.customerWindows().get('PBX1') ?? [];
    const sum = (f: (w: (typeof windows)[number]) => number) => windows.reduce((n, w) => n + f(w), 0);
    expect([sum((w) => w.onNet), sum((w) => w.emergency), sum((w) => w.attempts)]).toEqual([209, 1, 30]);
    const findings = scoreAll(aggregator, r, loadPolicy(), null);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.severity).toBe('medium');
      expect(f.reasons.map((x) => x.code)).toEqual(['INVALID_CALLING_NUMBER']);
    }
  });
});

describe('a pattern that persists is judged as fully evidenced', () => {
  /** 150 answered calls in hour `h`, `share` of them under 6 s (threshold 20% for a standard conversational customer) */
  const hourOf = (id: string, h: number, share: number) =>
    callsInHour(id, HOUR + h * H, 150, (i) => ({
      calling: `+1202555${String(1000 + (i % 20))}`,
      durationS: i < Math.round(150 * share) ? 3 : 200,
    }));
  const r = ref(customer('S', 'standard', 'conversational'));
  const shortReason = (f: Finding) => f.reasons.find((x) => x.code === 'SHORT_CALL_RATIO');

  it('just past the threshold: low in one hour, high in the second hour running, with a sentence that says so', () => {
    const findings = analyzeCalls([...hourOf('S', 0, 0.24), ...hourOf('S', 1, 0.24)], r);
    expect(findings.map((f) => [f.window_start.slice(11, 13), f.severity])).toEqual(
      expect.arrayContaining([
        ['14', 'low'],
        ['15', 'high'],
      ]),
    );
    const second = findings.find((f) => f.window_start.slice(11, 13) === '15');
    expect(second && shortReason(second)?.detail).toMatch(/; past its threshold 2 hours running$/);
    const first = findings.find((f) => f.window_start.slice(11, 13) === '14');
    expect(first && shortReason(first)?.detail).not.toMatch(/running/);
  });

  it('a quiet hour in between ends the streak; an hour below the threshold too', () => {
    const gap = analyzeCalls([...hourOf('S', 0, 0.24), ...hourOf('S', 2, 0.24)], r);
    // the hour between has no calls at all
    expect(gap.map((f) => f.severity)).toEqual(['low', 'low']);
    const below = analyzeCalls(
      [...hourOf('S', 0, 0.24), ...hourOf('S', 1, 0.19), ...hourOf('S', 2, 0.24)],
      r,
    );
    expect(below.map((f) => f.severity)).toEqual(['low', 'low']);
  });

  it('severity.sustainedHours sets the run: 3 hours escalate the third, not the second; 0 turns it off', () => {
    const three = [...hourOf('S', 0, 0.24), ...hourOf('S', 1, 0.24), ...hourOf('S', 2, 0.24)];
    const byHour = (fs: Finding[]) =>
      [...fs]
        .sort((a, b) => a.window_start.localeCompare(b.window_start))
        .map((f) => f.severity)
        .join(',');
    expect(byHour(analyzeCalls(three, r, null, { severity: { sustainedHours: 3 } }))).toBe('low,low,high');
    expect(byHour(analyzeCalls(three, r, null))).toBe('low,high,high');
    expect(byHour(analyzeCalls(three, r, null, { severity: { sustainedHours: 0 } }))).toBe('low,low,low');
  });

  it('a traceback count is a fact about the customer: firing every hour does not make it a sustained pattern', () => {
    const quiet = (h: number) =>
      callsInHour('TB', HOUR + h * H, 150, (i) => ({ calling: `+1202555${1000 + (i % 5)}` }));
    const tracebacks = new TracebackHistory();
    tracebacks.add('TB', HOUR - 2 * 24 * H);
    const findings = analyzeCalls(
      [...quiet(0), ...quiet(1), ...quiet(2)],
      ref(customer('TB', 'new', 'conversational')),
      tracebacks,
    );
    expect(findings).toHaveLength(3);
    for (const f of findings) expect(f.reasons.map((x) => x.detail).join()).not.toMatch(/running/);
    expect(findings.map((f) => f.severity)).toEqual(['medium', 'medium', 'medium']);
  });
});
