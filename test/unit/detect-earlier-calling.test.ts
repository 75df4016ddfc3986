import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { analyzeCalls, callsInHour, HOUR } from '../helpers/traffic.ts';

const H = HOUR_MS;
const DNO = '+12125550999';
const number = (k: number) => `+1212555${String(k).padStart(4, '0')}`;

/** `n` calls in the hour, from these caller IDs in turn */
function from(hourMs: number, callers: string[], n = 12) {
  return callsInHour('X', hourMs, n, (i) => ({ calling: callers[i % callers.length] }), hourMs);
}

describe("the share of an hour's caller IDs the customer never used before", () => {
  it('counts against every earlier hour, those without a finding too, and not at all in the first hour', () => {
    const ref = emptyReference();
    // a DNO caller gives hours 0 and 2 a finding, whose metrics show the share; hour 1 has none
    ref.dno = new Set([DNO]);
    const calls = [
      ...from(HOUR, [number(1), number(2), number(3), DNO]),
      ...from(HOUR + H, [number(4), number(5)]),
      ...from(HOUR + 2 * H, [number(1), number(4), number(6), DNO]),
    ];
    const findings = analyzeCalls(calls, ref);
    const at = (ms: number) =>
      findings.find((f) => f.window_start === new Date(ms).toISOString().replace('.000Z', 'Z'));
    expect(at(HOUR + H)).toBeUndefined();
    // the first hour has no history to compare with
    expect(at(HOUR)?.metrics).not.toHaveProperty('new_calling_share');
    // hour 2: number 6 alone is new (1 and the DNO number from hour 0, 4 from hour 1)
    expect(at(HOUR + 2 * H)?.metrics.new_calling_share).toBe(0.25);
  });

  it("says a share of calls from new caller IDs is the share of the hour's caller IDs that were new", () => {
    // an answering service: its main number all day, and in hour 1 also 120 forwarded callers once each
    const main = number(1);
    const calls = [
      ...from(HOUR, [main], 20),
      ...callsInHour('X', HOUR + H, 250, (i) => ({ calling: i < 130 ? main : number(100 + i) }), HOUR + H),
    ];
    const reason = analyzeCalls(calls, emptyReference())
      .flatMap((f) => f.reasons)
      .find((r) => r.code === 'ANI_ROTATION');
    // the aggregate holds no calls per caller ID: the sentence says what the share stands on
    expect(reason?.detail).toContain(
      "(estimated: 120 of the hour's 121 distinct caller IDs were new, taken to carry their share of the calls)",
    );
  });
});
