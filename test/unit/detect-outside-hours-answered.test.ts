import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { evaluateWindow } from '../../shared/detect/score.ts';
import {
  emptyWindow,
  mergeInto,
  type WindowAggregate,
  type WindowJson,
  windowFromJson,
  windowToJson,
} from '../../shared/detect/window.ts';
import {
  analyzeCalls,
  callsInHour,
  conversationsAveraging,
  customer,
  HOUR,
  referenceWith,
  rng,
  worstSeverity,
} from '../helpers/traffic.ts';

/**
 * OUTSIDE_CALLING_HOURS holds a vetted customer's reason to medium when its calls outside calling
 * hours look like conversations: those calls' own answer rate and average, not the whole hour's.
 */
const policy = loadPolicy();

function reasonOf(f: Finding | null | undefined) {
  return f?.reasons.find((r) => r.code === 'OUTSIDE_CALLING_HOURS');
}

describe('OUTSIDE_CALLING_HOURS reads the answered calls outside calling hours', () => {
  it("a night campaign to the East is not excused by the same sender's evening conversations in California", () => {
    // 02:xx UTC in November: 21:xx in New York, 18:xx in Los Angeles
    const hour = Date.UTC(2026, 10, 28, 2);
    const g = rng(11);
    const talk = conversationsAveraging(250);
    const east = ['212', '646', '718', '617', '215'];
    const night = callsInHour('STD', hour, 400, () => ({
      called: `+1${g.pick(east)}${g.int(2000000, 9999999)}`,
      calling: '+12124567100',
      ...(g.next() < 0.14 ? { durationS: 4 } : { answered: false }),
    }));
    const evening = callsInHour(
      'STD',
      hour,
      300,
      () => ({
        called: `+1310${g.int(2000000, 9999999)}`,
        calling: '+12124567101',
        ...(g.next() < 0.95 ? { durationS: talk() } : { answered: false }),
      }),
      2,
    );
    const findings = analyzeCalls(
      [...night, ...evening],
      referenceWith(customer('STD', 'standard', 'conversational')),
    );
    const reason = reasonOf(findings.find((f) => f.customer_id === 'STD'));
    expect(reason?.detail).toMatch(
      /of 700 calls reached the called party before 8:00 or after 21:00 local time$/,
    );
    expect(reason?.detail).not.toMatch(/conversations/);
    expect(worstSeverity(findings, 'STD')).toBe('high');
  });

  it('counts the calls outside the hours it judges by: state hours, or federal ones when the policy says so', () => {
    // 400 calls past 21:00 nobody answered, and 300 calls to Miami at 20:xx, 90% answered, 200 s each
    const w = emptyWindow('C1', '', HOUR, Number.POSITIVE_INFINITY);
    w.attempts = w.hoursKnown = 700;
    w.attA = 700;
    w.answered = 270;
    w.durationSum = 270 * 200;
    for (let i = 0; i < 700; i++) w.pairs.add(i + 1);
    w.outsideHours = 400;
    w.outsideStateHours = 700;
    w.outsideStateHoursAnswered = 270;
    w.outsideStateHoursDurationSum = 270 * 200;
    const ctx = {
      customer: customer('C1', 'standard', 'conversational'),
      earlierAttempts: [],
      seenCalling: null,
      tracebacks: 0,
    };
    const state = evaluateWindow(w, ctx, policy);
    expect(reasonOf(state)?.detail).toMatch(
      /; 38.6% of them were answered and lasted 200 s on average, as conversations do/,
    );
    expect(state?.severity).toBe('medium');
    // federal hours only: the 400 calls past 21:00, none answered, are what the reason describes
    const federal = evaluateWindow(
      w,
      ctx,
      loadPolicy({ rules: { OUTSIDE_CALLING_HOURS: { stateHours: false } } }),
    );
    expect(reasonOf(federal)?.detail).toMatch(
      /^57\.1% of 700 calls reached the called party before 8:00 or after 21:00 local time$/,
    );
    expect(federal?.severity).toBe('high');
  });
});

describe('windows stored before the answered calls outside calling hours were counted', () => {
  /** a vetted customer's hour of night calls, 70% answered at 240 s: conversations */
  function nightHour(): WindowAggregate {
    const w = emptyWindow('C1', '', HOUR, Number.POSITIVE_INFINITY);
    w.attempts = w.hoursKnown = w.outsideHours = w.outsideStateHours = 400;
    w.attA = 400;
    w.answered = w.outsideHoursAnswered = w.outsideStateHoursAnswered = 280;
    w.durationSum = w.outsideHoursDurationSum = w.outsideStateHoursDurationSum = 280 * 240;
    for (let i = 0; i < 400; i++) w.pairs.add(i + 1);
    return w;
  }
  const legacyJson = (w: WindowAggregate): WindowJson => {
    const {
      outsideHoursAnswered: _a,
      outsideHoursDurationSum: _b,
      outsideStateHoursAnswered: _c,
      outsideStateHoursDurationSum: _d,
      ...old
    } = windowToJson(w);
    return old as WindowJson;
  };

  it('read back unknown (NaN), and stay unknown through a merge and a store', () => {
    const old = windowFromJson(legacyJson(nightHour()), 100);
    expect(old.outsideHoursAnswered).toBeNaN();
    expect(old.outsideStateHoursDurationSum).toBeNaN();
    const merged = mergeInto(old, windowFromJson(windowToJson(nightHour()), 100));
    expect(merged.outsideStateHoursAnswered).toBeNaN();
    expect(
      windowFromJson(JSON.parse(JSON.stringify(windowToJson(merged))), 100).outsideHoursAnswered,
    ).toBeNaN();
    // with no answered call, or no call outside the hours, none of them was answered: that is known
    const unanswered = { ...legacyJson(nightHour()), answered: 0 };
    expect(windowFromJson(unanswered, 100).outsideHoursAnswered).toBe(0);
    const daytime = { ...legacyJson(nightHour()), outsideHours: 0, outsideStateHours: 0 };
    expect(windowFromJson(daytime, 100).outsideStateHoursAnswered).toBe(0);
  });

  it('leave the cap off and say why, rather than take the whole hour for the calls outside calling hours', () => {
    const ctx = {
      customer: customer('C1', 'standard', 'conversational'),
      earlierAttempts: [],
      seenCalling: null,
      tracebacks: 0,
    };
    expect(evaluateWindow(nightHour(), ctx, policy)?.severity).toBe('medium');
    const f = evaluateWindow(windowFromJson(legacyJson(nightHour()), 100), ctx, policy);
    expect(reasonOf(f)?.detail).toMatch(
      /; how many of them were answered is not known \(part of the hour was stored before that was counted\)/,
    );
    expect(f?.severity).toBe('high');
  });
});
