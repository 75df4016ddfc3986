import { describe, expect, it } from 'vitest';
import { renderReport } from '../../local/demo/report.ts';

const finding = (customer: string, start: string, end: string, severity: string, score: number) => ({
  body: JSON.stringify({
    type: 'finding',
    customer_id: customer,
    window_start: start,
    window_end: end,
    severity,
    score,
    reasons: [{ code: 'LOW_ASR', detail: 'only 8% of 160 call attempts were answered' }],
    metrics: { calls: 160 },
  }),
  attributes: { type: 'finding', severity },
});

describe("npm start's report", () => {
  it("shows each customer's worst finding with its window: an hour by its clock times, a day by both dates", () => {
    const text = renderReport({
      events: [
        finding('C1', '2026-11-27T16:00:00Z', '2026-11-27T17:00:00Z', 'high', 70),
        finding('C2', '2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z', 'critical', 95),
        finding('C2', '2026-11-27T18:00:00Z', '2026-11-27T19:00:00Z', 'medium', 45),
      ],
      alerts: [],
      cases: [],
      tracebacks: [],
    });
    expect(text).toContain(
      'Findings published on ComplianceEvents: 3 for 3 customer-hour(s) or -day(s) (at their highest 1 critical, 1 high, 1 medium, 0 low) for 2 customer(s)',
    );
    expect(text).toContain('C2     2026-11-27 00:00-2026-11-28 00:00 UTC  160 calls');
    expect(text).toContain('C1     2026-11-27 16:00-17:00 UTC  160 calls');
    expect(text).not.toContain('18:00-19:00');
  });

  it('counts a customer-hour published at high and then raised to critical once, at critical', () => {
    const text = renderReport({
      events: [
        finding('C1', '2026-11-27T16:00:00Z', '2026-11-27T17:00:00Z', 'high', 70),
        finding('C1', '2026-11-27T16:00:00Z', '2026-11-27T17:00:00Z', 'critical', 92),
        finding('C1', '2026-11-27T17:00:00Z', '2026-11-27T18:00:00Z', 'medium', 45),
      ],
      alerts: [],
      cases: [],
      tracebacks: [],
    });
    expect(text).toContain(
      'Findings published on ComplianceEvents: 3 for 2 customer-hour(s) or -day(s) (at their highest 1 critical, 0 high, 1 medium, 0 low) for 1 customer(s)',
    );
  });
});
