import { describe, expect, it } from 'vitest';
import {
  declaredTraffic,
  undeclaredCallingNumbers,
  undeclaredSourceIps,
} from '../../shared/kyc/detection-ties.ts';
import { cleanApplication } from './kyc-fixtures.ts';

const declared = declaredTraffic(
  cleanApplication({
    originating_ips: ['203.0.113.0/28'],
    telephone_numbers: [{ number: '(206) 430-1100', loa_reference: 'LOA-1' }],
    expected_volume: { calls_per_day: 1000, peak_per_hour: 100 },
  }),
);

describe('declared traffic against observed traffic', () => {
  it('calls from source IPs outside the declared ranges become a reason past the share', () => {
    expect(
      undeclaredSourceIps(
        declared,
        new Map([
          ['203.0.113.5', 95],
          ['198.51.100.9', 5],
        ]),
      ),
    ).toBeNull();
    expect(
      undeclaredSourceIps(
        declared,
        new Map([
          ['203.0.113.5', 80],
          ['198.51.100.9', 20],
        ]),
      ),
    ).toMatchObject({
      code: 'UNDECLARED_SOURCE_IP',
      observed: 0.2,
      detail: expect.stringContaining('198.51.100.9'),
    });
  });

  it('calling numbers outside the declared and LOA numbers become a reason, masked', () => {
    const reason = undeclaredCallingNumbers(
      declared,
      new Map([
        ['+12064301100', 50],
        ['+13125550199', 50],
      ]),
    );
    expect(reason).toMatchObject({ code: 'UNDECLARED_CALLING_NUMBER', observed: 0.5 });
    expect(reason?.detail).toContain('***0199');
    expect(reason?.detail).not.toContain('3125550199');
    expect(undeclaredCallingNumbers(declared, new Map([['+12064301100', 100]]))).toBeNull();
  });
});
