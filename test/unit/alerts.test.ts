import { describe, expect, it } from 'vitest';
import { alertFor } from '../../shared/alerts/on-call-alert.ts';

describe('on-call alert text', () => {
  it('explains a finding with its reasons and masks phone numbers', () => {
    const body = JSON.stringify({
      type: 'finding',
      customer_id: 'C042',
      severity: 'high',
      score: 87,
      window_start: '2026-11-27T16:00:00Z',
      window_end: '2026-11-27T17:00:00Z',
      reasons: [{ code: 'DNO_CALLING_NUMBER', detail: '3 calls used +12025550143 which is on the DNO list' }],
      metrics: { calls: 4210, answered: 900, vetting: 'new', traffic_profile: 'dialer' },
      batch: 'cdr/sbc-east-1/16.csv',
    });
    const a = alertFor(body);
    expect(a.subject).toBe('[HIGH] Traceguard: C042 flagged (DNO_CALLING_NUMBER)');
    expect(a.text).toContain(
      'Customer C042 was flagged HIGH (score 87) for traffic in 2026-11-27 16:00-17:00 UTC',
    );
    expect(a.text).toContain('DNO_CALLING_NUMBER: 3 calls used ***0143');
    expect(a.text).not.toMatch(/2025550143/);
  });

  it("names a customer's whole day from its start to its end", () => {
    const body = JSON.stringify({
      type: 'finding',
      customer_id: 'C042',
      severity: 'critical',
      score: 95,
      window_start: '2026-11-27T00:00:00Z',
      window_end: '2026-11-28T00:00:00Z',
      reasons: [
        {
          code: 'LOW_ASR',
          detail: "8% of 300 calls were answered; over the customer's 3 active hours of the day",
        },
      ],
      metrics: { calls: 300, active_hours: 3 },
    });
    expect(alertFor(body).text).toContain('for traffic in 2026-11-27 00:00-2026-11-28 00:00 UTC');
  });

  it('describes a traceback answer and an unknown event without dumping its body', () => {
    const t = alertFor(
      JSON.stringify({
        type: 'traceback',
        traceback_id: 'ITG-1',
        customer_id: 'C9',
        trunk_id: 'T1',
        severity: 'high',
        repeat_count: 2,
      }),
    );
    expect(t.text).toMatch(/came from customer C9 on trunk T1\. This is traceback number 2/);
    const u = alertFor(
      JSON.stringify({ type: 'enforcement', customer_id: 'C9', severity: 'high', secret: '+13125550199' }),
    );
    expect(u.subject).toBe('[HIGH] Traceguard: enforcement event for C9');
    expect(u.text).not.toContain('3125550199');
    expect(alertFor('not json').subject).toMatch(/unknown event/);
  });
});

describe('maskPhoneNumbers', () => {
  it('masks every phone shape and leaves dates, times and ids alone', async () => {
    const { maskPhoneNumbers, containsPhoneNumber } = await import('../../shared/privacy/mask-numbers.ts');
    const text =
      'from +12025550143, 2025550143, 12025550143, (202) 555-0143, 202-555-0143 at 2026-11-27 16:00-17:00 UTC, case C042-7, +442071234567';
    const masked = maskPhoneNumbers(text);
    expect(masked).toBe(
      'from ***0143, ***0143, ***0143, ***0143, ***0143 at 2026-11-27 16:00-17:00 UTC, case C042-7, ***4567',
    );
    expect(containsPhoneNumber(masked)).toBe(false);
    expect(containsPhoneNumber(text)).toBe(true);
    // ids that merely contain ten digits are not phone numbers
    const ids = 'case C042-F-96aa1234567890e0, call 3f2a9c1234567890ab';
    expect(maskPhoneNumbers(ids)).toBe(ids);
  });
});
