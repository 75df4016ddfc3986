import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import type { TrafficProfile } from '../../shared/detect/customers.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { evaluateSoftRules } from '../../shared/detect/rules/evaluate.ts';
import { mergeInto, type WindowJson, windowFromJson, windowToJson } from '../../shared/detect/window.ts';
import {
  analyzeCalls,
  callsInHour,
  codesFor,
  conversationS,
  customer,
  HOUR,
  referenceWith,
  worstSeverity,
} from '../helpers/traffic.ts';

const OWN = ['+12134170100', '+12134270101', '+12134370102'];

/**
 * Two hours of 300 calls from the customer's own numbers, 72% answered: `length(i)` seconds each
 * (a voicemail drop's 28-36 s message, or people's calls).
 */
function twoHours(id: string, length: (i: number) => number): CallRecord[] {
  const hour = (h: number) =>
    callsInHour(id, HOUR + h * HOUR_MS, 300, (i) =>
      i % 25 < 18 ? { calling: OWN[i % 3], durationS: length(i) } : { calling: OWN[i % 3], answered: false },
    );
  return [...hour(0), ...hour(1)];
}

const message = (i: number) => 28 + (i % 9);

function judged(profile: TrafficProfile, length: (i: number) => number) {
  const c = customer('VM', 'standard', profile);
  const findings = analyzeCalls(twoHours('VM', length), referenceWith(c));
  return { codes: codesFor(findings, 'VM'), severity: worstSeverity(findings, 'VM'), findings };
}

describe('UNIFORM_DURATION', () => {
  it('puts a voicemail drop whose every answered call lasts 28-36 s at high, on a conversational or call-centre account', () => {
    for (const profile of ['conversational', 'call_center'] as const) {
      const { codes, severity, findings } = judged(profile, message);
      expect([...codes], profile).toEqual(['UNIFORM_DURATION']);
      expect(severity, profile).toBe('high');
      const reason = findings.flatMap((f) => f.reasons).find((r) => r.code === 'UNIFORM_DURATION');
      expect(reason?.detail).toMatch(
        /^216 answered calls lasted 32 s on average, give or take 2\.6 s \(a spread of 0\.08 times/,
      );
    }
  });

  it('leaves people’s calls alone, and a recorded message where the profile sells one (dialer, notifications)', () => {
    expect(judged('conversational', conversationS).codes.size).toBe(0);
    expect(judged('call_center', conversationS).codes.size).toBe(0);
    expect(judged('dialer', message).codes.has('UNIFORM_DURATION')).toBe(false);
    expect(judged('notifications', message).codes.has('UNIFORM_DURATION')).toBe(false);
  });

  it('leaves short calls to the short-call rules, and durations a switch never reported', () => {
    expect(judged('conversational', () => 3).codes.has('UNIFORM_DURATION')).toBe(false);
    expect(judged('conversational', () => 0).codes.has('UNIFORM_DURATION')).toBe(false);
  });

  it('keeps a window stored before its squares were counted unknown, through merges and JSON, and quiet', () => {
    const agg = new Aggregator(emptyReference());
    for (const c of twoHours('VM', message).slice(0, 300)) agg.add(c);
    const fresh = agg.customerWindows().get('VM')?.[0];
    if (!fresh) throw new Error('no window');
    expect(fresh.durationSquares).toBe(
      Array.from({ length: 300 }, (_, i) => i)
        .filter((i) => i % 25 < 18)
        .reduce((s, i) => s + message(i) ** 2, 0),
    );
    const { durationSquares: _dropped, ...legacy } = windowToJson(fresh);
    const old = windowFromJson(legacy as WindowJson, Number.POSITIVE_INFINITY);
    expect(old.durationSquares).toBeNaN();
    const merged = mergeInto(old, windowFromJson(windowToJson(fresh), Number.POSITIVE_INFINITY));
    expect(merged.durationSquares).toBeNaN();
    const ctx = {
      customer: customer('VM', 'new', 'conversational'),
      earlierAttempts: [],
      seenCalling: null,
      tracebacks: 0,
    };
    expect(evaluateSoftRules(merged, ctx, loadPolicy()).map((r) => r.code)).not.toContain('UNIFORM_DURATION');
    // the same window with its squares known fires
    const known = mergeInto(
      windowFromJson(windowToJson(fresh), 100),
      windowFromJson(windowToJson(fresh), 100),
    );
    expect(evaluateSoftRules(known, ctx, loadPolicy()).map((r) => r.code)).toContain('UNIFORM_DURATION');
    expect(windowFromJson(JSON.parse(JSON.stringify(windowToJson(merged))), 100).durationSquares).toBeNaN();
    // a window of no answered calls has nothing unknown
    const none = windowToJson(fresh);
    const { durationSquares: _none, ...unanswered } = { ...none, answered: 0 };
    expect(windowFromJson(unanswered as WindowJson, 100).durationSquares).toBe(0);
  });
});
