import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { analyzeAll } from '../../shared/detect/analysis.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { callsInHour, customer, HOUR, referenceWith } from '../helpers/traffic.ts';

describe('analyzeAll', () => {
  it('tells its caller after each customer how many are scored (where the CLI bounds its young generation)', () => {
    const ref = referenceWith(customer('A', 'standard', 'conversational'));
    const agg = new Aggregator(ref);
    for (const id of ['A', 'B', 'C']) for (const c of callsInHour(id, HOUR, 20, () => ({}))) agg.add(c);
    const seen: number[] = [];
    const { unregistered } = analyzeAll(agg, ref, loadPolicy(), null, (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
    expect(unregistered.sort()).toEqual(['B', 'C']);
  });
});
