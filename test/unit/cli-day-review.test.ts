import { describe, expect, it } from 'vitest';
import { waitingLine } from '../../cli/day-review.ts';

describe('day-review: why a noted day waits', () => {
  const day = '2026-12-07T00:00:00Z';
  const grace = 2 * 3_600_000;
  it('a day that has not ended is "not over yet", with when it will be judged', () => {
    expect(waitingLine(day, Date.parse('2026-12-07T09:00:00Z'), grace)).toBe(
      'not over yet (judged from 2026-12-08T02:00:00Z, after its grace)',
    );
  });
  it('a day that ended within the grace waits for late batches', () => {
    expect(waitingLine(day, Date.parse('2026-12-08T01:00:00Z'), grace)).toBe(
      'over, waiting out its grace for late batches (judged from 2026-12-08T02:00:00Z)',
    );
  });
});
