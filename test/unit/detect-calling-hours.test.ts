import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { zonesOfNumber } from '../../shared/detect/npa-zones.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { callingHoursOfNpa, STATE_CALLING_HOURS } from '../../shared/detect/state-calling-hours.ts';
import { analyzeCalls, callsInHour, codesFor, customer } from '../helpers/traffic.ts';

/**
 * The calling-hours counters against a direct computation per call: the called party's local hour is
 * that of ms + the zone's offset (taken at the call's UTC hour), and a call is outside hours before
 * 8:00 or from 21:00. The aggregator caches this per zone and UTC hour; half-hour zones (St. John's,
 * area code 709) cross a local hour inside one UTC hour, which the cache must still get right.
 */
const CALLED = [
  '+17092345678',
  '+12125550150',
  '+18085550100',
  '+13105550100',
  '+17875550100',
  '+442079460011',
  // Saskatchewan: no daylight saving time
  '+13065550100',
  // area codes spanning Eastern/Central and Mountain/Pacific
  '+18505550100',
  '+12085550100',
  // states whose law ends calling hours at 20:00: Florida (Eastern), Oklahoma (Central), Washington (Pacific)
  '+13055550100',
  '+14055550100',
  '+12065550100',
];

/** Outside in any of the called party's zones (an area code spanning two takes the stricter reading). */
function expectedOutside(called: string, ms: number, hours = { start: 8, end: 21 }): number | null {
  const zones = zonesOfNumber(called);
  if (zones === null) return null;
  const local = zones.map((zone) => new Date(ms + new ZoneClock(zone).offsetAt(ms)).getUTCHours());
  return local.some((h) => h < hours.start || h >= hours.end) ? 1 : 0;
}

describe('calling hours at the called party', () => {
  it('counts calls outside 8:00-21:00 local time exactly, and the answered ones with their seconds, minute by minute, across zones and DST changes', () => {
    fc.assert(
      fc.property(
        // hours around the 2026 DST changes and ordinary days
        fc.constantFrom(Date.UTC(2026, 2, 8, 0), Date.UTC(2026, 10, 1, 0), Date.UTC(2026, 10, 27, 0)),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 47 * 60 - 1 }),
            fc.constantFrom(...CALLED),
            // answered for so many seconds, or not answered (0)
            fc.integer({ min: 0, max: 600 }),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        (day, calls) => {
          const agg = new Aggregator(emptyReference());
          const want = {
            known: 0,
            outside: 0,
            state: 0,
            answered: 0,
            seconds: 0,
            stateAnswered: 0,
            stateSeconds: 0,
          };
          for (const [minute, called, seconds] of calls) {
            const ms = day + minute * 60_000;
            const answered = seconds > 0;
            const [call] = callsInHour('C1', ms, 1, () => ({ called, answered, durationS: seconds }));
            agg.add(call);
            const outside = expectedOutside(called, ms);
            if (outside !== null) {
              const state = expectedOutside(called, ms, callingHoursOfNpa(called.slice(2, 5))) ?? 0;
              want.known++;
              want.outside += outside;
              want.state += state;
              want.answered += answered ? outside : 0;
              want.seconds += outside * seconds;
              want.stateAnswered += answered ? state : 0;
              want.stateSeconds += state * seconds;
            }
          }
          const windows = [...(agg.customerWindows().get('C1') ?? [])];
          const sum = (f: (w: (typeof windows)[number]) => number) => windows.reduce((n, w) => n + f(w), 0);
          expect({
            known: sum((w) => w.hoursKnown),
            outside: sum((w) => w.outsideHours),
            state: sum((w) => w.outsideStateHours),
            answered: sum((w) => w.outsideHoursAnswered),
            seconds: sum((w) => w.outsideHoursDurationSum),
            stateAnswered: sum((w) => w.outsideStateHoursAnswered),
            stateSeconds: sum((w) => w.outsideStateHoursDurationSum),
          }).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splits one UTC hour at 8:00 in St. John's (UTC-3:30)", () => {
    const agg = new Aggregator(emptyReference());
    const hour = Date.UTC(2026, 10, 27, 11);
    for (const minutes of [15, 45])
      agg.add(callsInHour('C1', hour + minutes * 60_000, 1, () => ({ called: '+17092345678' }))[0]);
    const [w] = agg.customerWindows().get('C1') ?? [];
    expect(w.hourMs).toBe(hour);
    expect([w.hoursKnown, w.outsideHours]).toEqual([2, 1]);
  });

  it('Saskatchewan keeps standard time: 7:30 in Regina is outside hours in July and in January', () => {
    expect(zonesOfNumber('+13065550100')).toEqual(['America/Regina']);
    expect(zonesOfNumber('+16395550100')).toEqual(['America/Regina']);
    // 13:30 UTC is 7:30 in Regina (UTC-6) all year; Chicago would say 8:30 in July
    for (const hour of [Date.UTC(2026, 6, 15, 13), Date.UTC(2026, 0, 15, 13)]) {
      const agg = new Aggregator(emptyReference());
      agg.add(callsInHour('C1', hour + 30 * 60_000, 1, () => ({ called: '+13065550100' }))[0]);
      const [w] = agg.customerWindows().get('C1') ?? [];
      expect([w.hoursKnown, w.outsideHours]).toEqual([1, 1]);
    }
  });

  it('an area code spanning two zones is outside hours when either zone is', () => {
    // 850: Florida panhandle, Eastern and Central. 01:30 UTC in November = 20:30 Eastern, 19:30 Central
    // (inside in both); 02:30 UTC = 21:30 Eastern: outside; 13:30 UTC = 8:30 Eastern, 7:30 Central: outside
    const cases: Array<[number, number]> = [
      [Date.UTC(2026, 10, 27, 1, 30), 0],
      [Date.UTC(2026, 10, 27, 2, 30), 1],
      [Date.UTC(2026, 10, 27, 13, 30), 1],
      [Date.UTC(2026, 10, 27, 14, 30), 0],
    ];
    for (const [ms, outside] of cases) {
      const agg = new Aggregator(emptyReference());
      agg.add(callsInHour('C1', ms, 1, () => ({ called: '+18505550100' }))[0]);
      const [w] = agg.customerWindows().get('C1') ?? [];
      expect(w.outsideHours, new Date(ms).toISOString()).toBe(outside);
    }
    expect(zonesOfNumber('+18505550100')).toEqual(['America/New_York', 'America/Chicago']);
  });

  it('states whose law ends calling hours at 20:00: a call at 20:30 there is outside, in New York it is not', () => {
    expect(callingHoursOfNpa('305')).toEqual({ start: 8, end: 20 });
    expect(callingHoursOfNpa('212')).toEqual({ start: 8, end: 21 });
    // 01:30 UTC in November is 20:30 in Miami and New York
    const at = Date.UTC(2026, 10, 28, 1, 30);
    const ref = emptyReference();
    // a dialer: a vetted conversational customer's answered, long calls would add that they look like conversations
    ref.customers.set('M', customer('M', 'standard', 'dialer'));
    const calls = (id: string, called: string) =>
      callsInHour(id, at, 150, (i) => ({ called, calling: `+1202555${1000 + (i % 5)}` })).map((c) => ({
        ...c,
        startMs: at + (c.startMs - at) / 4, // all within 20:30-20:45 local
      }));
    const miami = analyzeCalls(calls('M', '+13055550100'), ref);
    expect(codesFor(miami, 'M')).toContain('OUTSIDE_CALLING_HOURS');
    expect(miami[0].reasons.find((r) => r.code === 'OUTSIDE_CALLING_HOURS')?.detail).toMatch(
      /^100% of 150 calls reached the called party outside calling hours: 0 before 8:00 or after 21:00 local time, 150 from 20:00 in a state whose law ends calling hours then$/,
    );
    expect(miami[0].metrics).toMatchObject({ outside_hours: 0, outside_state_hours: 150 });
    expect(codesFor(analyzeCalls(calls('M', '+12125550150'), ref), 'M')).not.toContain(
      'OUTSIDE_CALLING_HOURS',
    );
    // the policy can hold everyone to the federal hours only
    const federal = analyzeCalls(calls('M', '+13055550100'), ref, null, {
      rules: { OUTSIDE_CALLING_HOURS: { stateHours: false } },
    });
    expect(codesFor(federal, 'M')).not.toContain('OUTSIDE_CALLING_HOURS');
  });

  it("every area code of a state with stricter hours has a zone: a new overlay is never 'zone unknown' there", () => {
    for (const [state, { npas }] of Object.entries(STATE_CALLING_HOURS))
      for (const npa of npas.split(' '))
        expect(zonesOfNumber(`+1${npa}2345678`), `${state} ${npa}`).not.toBeNull();
    // the Florida overlays of 2022-2025
    for (const npa of ['324', '645', '728'])
      expect(zonesOfNumber(`+1${npa}2345678`)).toEqual(['America/New_York']);
    // the territories, where the federal hours hold too
    expect(zonesOfNumber('+16712345678')).toEqual(['Pacific/Guam']);
    expect(zonesOfNumber('+16842345678')).toEqual(['Pacific/Pago_Pago']);
  });
});
