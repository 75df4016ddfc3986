import { describe, expect, it } from 'vitest';
import { phoneLeaks } from './phone-leaks.ts';

describe('the log leak check used on full runs (faults.test.ts)', () => {
  it('catches a number in clear in any shape, ignores random hex ids, shows the lines masked', () => {
    const fed = new Set(['2025550143', '3125550199']);
    const lines = [
      '{"level":"INFO","message":"x","calling":"+12025550143"}',
      '{"level":"WARN","message":"bad row","raw":"c1,2026-11-27T16:00:00Z,,,0,C1,T1,(202) 555-0143"}',
      '{"level":"INFO","message":"dialed","n":"3125550199"}',
      '{"level":"INFO","caseId":"THR-ROBO-F-96aa1234567890e0","messageId":"b962d82f-10b5-445f-875f-f12345678901"}',
      '{"level":"INFO","message":"batch done","rows":480,"timestamp":"2026-11-29T20:48:44.433Z"}',
    ];
    const leaks = phoneLeaks(lines.join('\n'), fed);
    expect(leaks).toHaveLength(3);
    for (const leak of leaks) expect(leak).not.toMatch(/2025550143|3125550199/);
  });
});
