import type { Application } from '../../shared/kyc/application.ts';
import { parseApplication } from '../../shared/kyc/application.ts';
import type { DoNotOnboardEntry } from '../../shared/kyc/do-not-onboard.ts';

/** A clean low-volume applicant; tests change one thing at a time. */
export function cleanApplication(overrides: Record<string, unknown> = {}): Application {
  return parseApplication(
    {
      application_id: 'APP-1',
      legal_name: 'Harbor Dental Group, P.C.',
      address: {
        street: '410 Pine Street, Suite 3',
        city: 'Seattle',
        region: 'WA',
        postal_code: '98101',
        country: 'US',
      },
      id_number: '91-1234567',
      alternate_phone: '+1 (206) 430-1188',
      contact: { name: 'Mina Cho', email: 'mina@harbordental.example' },
      traffic_profile: 'notifications',
      expected_volume: { calls_per_day: 300, peak_per_hour: 60 },
      intended_use: ['notifications'],
      originating_ips: ['203.0.113.10'],
      telephone_numbers: [{ number: '+12064301100', loa_reference: 'LOA-HD-2026-01' }],
      ...overrides,
    },
    'test application',
  );
}

/** Customer C042, terminated for an IRS-impersonation campaign. */
export const terminatedAcme: DoNotOnboardEntry = {
  entry_id: 'terminated#C042',
  source: 'terminated',
  customer_id: 'C042',
  added_at: '2026-11-01T00:00:00Z',
  reason: 'terminated: IRS impersonation campaign, 3 tracebacks',
  names: ['Acme Dialer LLC', 'Acme Outreach'],
  address: {
    street: '77 West Commerce Blvd., Ste 500',
    city: 'Miami',
    region: 'FL',
    postal_code: '33131',
    country: 'US',
  },
  id_number: '59-7654321',
  alternate_phone: '+13055550177',
  ip_ranges: ['198.51.100.0/24'],
  numbers: ['+13054300001', '+13054300002'],
};
