import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { evaluateHardRules } from '../../shared/detect/hard-rules.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import type { Derived, WindowContext } from '../../shared/detect/rules/derive.ts';
import { SOFT_RULE_MODULES } from '../../shared/detect/rules/index.ts';
import type { BaseRuleConfig, RuleModule } from '../../shared/detect/rules/rule.ts';
import { BASELINE_HOURS, VOLUME_SPIKE } from '../../shared/detect/rules/VOLUME_SPIKE.ts';
import {
  COUNTER_FIELDS,
  type CounterField,
  emptyWindow,
  type WindowAggregate,
} from '../../shared/detect/window.ts';
import { analyzeCalls, callsInHour, customer, HOUR, referenceWith } from '../helpers/traffic.ts';

/**
 * A count and its noun must agree: "1 calls" reads as a defect in a sentence an analyst checks. A
 * count of 1 (after a noun or a figure, not in "21" or "1,500") followed by a plural noun.
 */
const ONE_WITH_PLURAL =
  /(?:^|[^\d,.])1 (?:[A-Za-z-]+ ){0,2}(?:calls|attempts|numbers|hours|IDs|tracebacks|days|addresses)\b/;

/**
 * A window in which every counter is 1: one call that is every kind of call at once (`over` sets some
 * back: a call without a caller ID has none to judge, one whose attestation is not reported no signing).
 */
function oneOfEverything(over: Partial<Record<CounterField, number>> = {}): WindowAggregate {
  const w = emptyWindow('X', '', HOUR, 1000);
  for (const f of COUNTER_FIELDS) w[f] = 1;
  w.durationSum = 3;
  w.durationSquares = 9;
  w.firstMs = HOUR;
  w.lastMs = HOUR;
  return Object.assign(w, over);
}

/** The figures of that window as the rules read them: one caller ID, new to the customer. */
const oneDerived: Derived = {
  attempts: 1,
  answered: 1,
  asr: 1,
  acd: 3,
  shortRatio: 1,
  rejected: 4,
  distinctCalling: 1,
  distinctCalled: 1,
  newCallingShare: 1,
  repeatShare: 1,
  estimated: () => false,
  counted: () => ({}),
};

describe('a count of one reads in the singular', () => {
  it("every soft rule's sentence on one call (a policy that judges from one call) says 1 call, not 1 calls", () => {
    const policy = loadPolicy();
    const ctx: WindowContext = {
      customer: { ...customer('X', 'new', 'conversational'), declared_peak_per_hour: 1 },
      // one earlier working hour (20 calls or more)
      earlierAttempts: [30],
      seenCalling: null,
      tracebacks: 1,
    };
    const details: Record<string, string> = {};
    for (const rule of SOFT_RULE_MODULES as readonly RuleModule[]) {
      const cfg = {
        ...(policy.rules[rule.code as keyof typeof policy.rules] as BaseRuleConfig),
        minCount: 0,
        minDistinct: 0,
        minHistoryHours: 1,
        providers: true,
        windowDays: 1,
      };
      const eff = { enabled: true, threshold: cfg.threshold, minAttempts: 0 };
      // the call with a caller ID and reported attestation, outside no inventory (an estimated share)
      const signed = { callingBlank: 0, attUnreported: 0, callingChecked: 0 };
      for (const w of [oneOfEverything(), oneOfEverything(signed)]) {
        const ev = rule.evaluate(w, oneDerived, ctx, cfg, eff);
        if (ev) details[`${rule.code}${w.callingBlank ? '' : ' signed'}`] = ev.detail;
      }
    }
    // the rules whose sentences count what one call can be (the duration rules judge from 30 answered)
    expect(Object.keys(details).map((k) => k.replace(' signed', ''))).toEqual(
      expect.arrayContaining([
        'LOW_ASR',
        'REJECTION_RATIO',
        'VOLUME_SPIKE',
        'VOLUME_ABOVE_DECLARED',
        'UNDECLARED_SOURCE_IP',
        'UNDECLARED_CALLING_NUMBER',
        'HIGH_FANOUT',
        'ANI_ROTATION',
        'NEIGHBOR_SPOOFING',
        'CALLING_EQUALS_CALLED',
        'FICTITIOUS_CALLING_NUMBER',
        'WITHHELD_CALLING_NUMBER',
        'UNSIGNED_OR_GATEWAY_ATTESTATION',
        'ATTESTATION_MISMATCH',
        'OTHER_CUSTOMERS_NUMBER',
        'OUTSIDE_CALLING_HOURS',
        'REPEAT_CALLS',
        'TRACEBACK_HISTORY',
      ]),
    );
    for (const [code, detail] of Object.entries(details)) expect(detail, code).not.toMatch(ONE_WITH_PLURAL);
    expect(details.TRACEBACK_HISTORY).toBe('1 industry traceback named this customer in the last 1 day');
    expect(details.LOW_ASR).not.toContain('1 call attempt were');
  });

  it('one DNO call among 8 is "1 call", its caller ID one, and it should have been blocked', () => {
    const w = emptyWindow('X', '', HOUR, 1000);
    w.attempts = 8;
    w.callingDno = 1;
    w.callingInvalid = 1;
    w.firstMs = HOUR;
    w.lastMs = HOUR + 60_000;
    const reasons = evaluateHardRules(w, customer('X', 'standard', 'conversational'));
    const detail = (code: string) => reasons.find((r) => r.code === code)?.detail;
    expect(detail('DNO_CALLING_NUMBER')).toBe(
      '1 call (12.5%) used a caller ID on the Do-Not-Originate list; it should have been blocked',
    );
    expect(detail('INVALID_CALLING_NUMBER')).toMatch(
      /^1 call \(12\.5%\) reached the PSTN with a caller ID that cannot exist in the numbering plan .*; the switch should have blocked it$/,
    );
    // more than one keeps the plural, and the same numbers
    w.callingDno = 2;
    expect(evaluateHardRules(w, customer('X', 'standard', 'conversational'))[0].detail).toBe(
      '2 calls (25%) used caller IDs on the Do-Not-Originate list; each should have been blocked',
    );
  });

  it('one call after a termination is "1 call"', () => {
    const w = emptyWindow('X', '', HOUR, 1000);
    w.attempts = 1;
    w.firstMs = HOUR + 10 * 60_000;
    w.lastMs = w.firstMs;
    const terminated = {
      ...customer('X', 'standard', 'conversational'),
      status: 'terminated' as const,
      status_changed_at: new Date(HOUR).toISOString(),
    };
    const [reason] = evaluateHardRules(w, terminated);
    expect(reason.code).toBe('CALLS_AFTER_ENFORCEMENT');
    expect(reason.detail).toMatch(/^1 call reached the PSTN after the customer was terminated/);
  });
});

describe("VOLUME_SPIKE's sentence names the hours its baseline is taken from", () => {
  it('12 earlier hours of 30 calls, the last 8 of them within the day before: "8 working hours in the 24 hours before"', () => {
    const own = ['+12126470100', '+12126470101', '+12126470102'];
    const calls = [
      ...Array.from({ length: 12 }, (_, h) =>
        callsInHour('SPIKE', HOUR + h * HOUR_MS, 30, (i) => ({ calling: own[i % 3] }), 200 + h),
      ).flat(),
      // 28 hours after the first: hours 4 to 11 are in the 24 hours before it, hours 0 to 3 are not
      ...callsInHour('SPIKE', HOUR + 28 * HOUR_MS, 1500, (i) => ({ calling: own[i % 3] }), 300),
    ];
    const reason = analyzeCalls(calls, referenceWith(customer('SPIKE', 'standard', 'conversational')))
      .flatMap((f) => f.reasons)
      .find((r) => r.code === 'VOLUME_SPIKE');
    expect(reason?.detail).toBe(
      "1,500 attempts this hour, 50x the median of 30 calls of the customer's 8 working hours in the 24 hours before",
    );
  });

  it("the README's rule table says so too (its row is the rule's own words)", () => {
    expect(BASELINE_HOURS).toBe(24);
    expect(VOLUME_SPIKE.firesWhen).toContain(
      "the median of the customer's working hours in the 24 hours before",
    );
  });
});

describe("UNSIGNED_OR_GATEWAY_ATTESTATION's sentence counts calls whose source reports attestation", () => {
  it('150 unsigned calls are not calls "that carried attestation"', () => {
    const calls = callsInHour('UNSIGNED', HOUR, 150, () => ({ attestation: '' }), 400);
    const reason = analyzeCalls(calls, referenceWith(customer('UNSIGNED', 'standard', 'conversational')))
      .flatMap((f) => f.reasons)
      .find((r) => r.code === 'UNSIGNED_OR_GATEWAY_ATTESTATION');
    expect(reason?.detail).toBe(
      '100% of 150 calls whose source reports attestation were unsigned (150) or gateway C-attested (0); A: 0, B: 0',
    );
  });
});
