import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../shared/cdr/record.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { scoreAll } from '../../shared/detect/analysis.ts';
import { poolHours } from '../../shared/detect/day-window.ts';
import type { Finding } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { derive, type WindowContext } from '../../shared/detect/rules/derive.ts';
import { emptyWindow } from '../../shared/detect/window.ts';
import { STORE_EXACT_LIMIT } from '../../shared/ingest/part-collector.ts';
import { analyzeCalls, callsInHour, customer, HOUR } from '../helpers/traffic.ts';

/**
 * The pipeline's stored windows count distinct numbers exactly up to STORE_EXACT_LIMIT keys and by
 * HyperLogLog past it (analyze counts them exactly). An estimate can come out above the calls it
 * counts: 3,000 calls from and to 3,000 numbers (seed 3) are estimated 3,024 called and 3,009 calling
 * numbers, which findings printed as "3,024 distinct called numbers (100.8% of 3,000 attempts...)".
 */
const robocalls = (hourMs: number, seed: number, n = 3000): CallRecord[] =>
  callsInHour('C003', hourMs, n, () => ({ answered: false, attestation: 'C' }), seed);

/** Findings as the pipeline's windows give them: sets exact up to the stored windows' limit. */
function storedFindings(calls: CallRecord[]): Finding[] {
  const agg = new Aggregator(emptyReference(), { exactLimit: STORE_EXACT_LIMIT });
  for (const c of calls) agg.add(c);
  return scoreAll(agg, emptyReference(), loadPolicy(), null);
}

const detailOf = (f: Finding | undefined, code: string) => f?.reasons.find((r) => r.code === code)?.detail;

describe('distinct counts estimated past the exact limit', () => {
  it('never exceed the calls they count, and sentences and metrics say they are estimates', () => {
    const calls = robocalls(HOUR, 3);
    const [f] = storedFindings(calls);
    expect(f.metrics).toMatchObject({
      calls: 3000,
      distinct_called: 3000,
      distinct_called_estimated: true,
      distinct_calling: 3000,
      distinct_calling_estimated: true,
    });
    expect(f.reasons.find((r) => r.code === 'HIGH_FANOUT')?.observed).toBe(3000);
    expect(detailOf(f, 'HIGH_FANOUT')).toBe(
      'about 3,000 distinct called numbers (estimated) in one hour (about 100% of 3,000 attempts went to a number not called before in the hour)',
    );
    expect(detailOf(f, 'ANI_ROTATION')).toBe(
      '100% of 3,000 calls came from caller IDs with no inventory or earlier hours to vouch for them; about 3,000 distinct caller IDs (estimated) in the hour, about 1 call each',
    );
  });

  it('the same calls counted exactly (analyze) read as counts, with no estimate marked', () => {
    const [f] = analyzeCalls(robocalls(HOUR, 3));
    expect(f.metrics).toMatchObject({ distinct_called: 3000, distinct_calling: 3000 });
    expect(Object.keys(f.metrics).filter((k) => k.endsWith('_estimated'))).toEqual([]);
    expect(detailOf(f, 'HIGH_FANOUT')).toBe(
      '3,000 distinct called numbers in one hour (100% of 3,000 attempts went to a number not called before in the hour)',
    );
  });

  it("an hour's new caller IDs, estimated against estimated earlier hours, are at most its caller IDs", () => {
    const calls = [...robocalls(HOUR, 7), ...robocalls(HOUR + HOUR_MS, 3)];
    const f = storedFindings(calls).find((x) => x.window_start === '2026-11-27T15:00:00Z');
    expect(f?.metrics).toMatchObject({
      distinct_calling: 3000,
      new_calling_share: expect.any(Number),
      new_calling_share_estimated: true,
    });
    expect(Number(f?.metrics.new_calling_share)).toBeLessThanOrEqual(1);
    // the estimate clause says "estimated" of its figures itself
    expect(detailOf(f, 'ANI_ROTATION')).toContain(
      "(estimated: 3,000 of the hour's 3,000 distinct caller IDs were new, taken to carry their share of the calls); about 3,000 distinct caller IDs (estimated) in the hour, about 1 call each",
    );
  });

  it("REPEAT_CALLS says its share and called numbers are estimates when its window's sets are", () => {
    // 5,000 calls over 2,200 (caller, called) pairs: more pairs than the stored windows count exactly
    const number = (npa: string, k: number) => `+1${npa}555${String(2000 + k).padStart(4, '0')}`;
    const calls = callsInHour(
      'C003',
      HOUR,
      5000,
      (i) => ({ calling: number('212', i % 2200), called: number('646', i % 2200), answered: false }),
      3,
    );
    expect(detailOf(storedFindings(calls)[0], 'REPEAT_CALLS')).toBe(
      'about 56% (estimated) of calls repeated a (caller, called) pair already seen in the hour (about 2,204 called numbers (estimated), 5,000 attempts)',
    );
    expect(detailOf(analyzeCalls(calls)[0], 'REPEAT_CALLS')).toBe(
      '56% of calls repeated a (caller, called) pair already seen in the hour (2,200 called numbers, 5,000 attempts)',
    );
  });

  it("a day's united sets are held to the day's calls, and repeats to none below zero", () => {
    // two hours of 1,500 calls each, every number distinct: each hour's sets and their union estimated
    const limit = 1024;
    const ctx: WindowContext = {
      customer: customer('C003', 'new', 'conversational'),
      earlierAttempts: [],
      seenCalling: null,
      tracebacks: 0,
      pooledHours: 2,
    };
    const agg = new Aggregator(emptyReference(), { exactLimit: limit });
    for (const c of [...robocalls(HOUR, 3, 1500), ...robocalls(HOUR + HOUR_MS, 11, 1500)]) agg.add(c);
    const hours = [...agg.customerWindows().values()].flat().sort((a, b) => a.hourMs - b.hourMs);
    const { pool, sets } = poolHours(hours, HOUR);
    const d = derive(pool, ctx, sets);
    expect(sets('calling').count()).toBeGreaterThan(3000);
    expect(d.distinctCalling).toBe(3000);
    expect(d.estimated('distinctCalling')).toBe(true);
    expect(d.distinctCalled).toBeLessThanOrEqual(3000);
    expect(d.repeatShare).toBeGreaterThanOrEqual(0);
    expect(d.estimated('repeatShare')).toBe(true);
  });

  it('an empty window counts nothing, exactly', () => {
    const d = derive(emptyWindow('C003', '', HOUR, STORE_EXACT_LIMIT), {
      customer: customer('C003', 'new', 'conversational'),
      earlierAttempts: [],
      seenCalling: null,
      tracebacks: 0,
    });
    expect([d.distinctCalling, d.distinctCalled, d.repeatShare]).toEqual([0, 0, 0]);
    expect(d.estimated('distinctCalled')).toBe(false);
  });
});
