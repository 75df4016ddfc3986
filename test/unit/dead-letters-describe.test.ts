import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../shared/dead-letters/describe.ts';
import { containsPhoneNumber } from '../../shared/privacy/mask-numbers.ts';

describe('what a dead-lettered message is about', () => {
  it('names the CDR object of an S3 event, decoded', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'cdr' }, object: { key: 'cdr/sbc+east/16%2B1.csv' } },
        },
      ],
    });
    expect(describeDeadLetter(body)).toBe('S3 ObjectCreated:Put s3://cdr/cdr/sbc east/16+1.csv');
  });

  it('names a finding by type, severity, customer and window, never its example calls', () => {
    const body = JSON.stringify({
      customer_id: 'C042',
      severity: 'high',
      window_start: '2026-11-27T16:00:00Z',
      example_calls: [{ calling_number: '+12025550143', called_number: '+13125550199' }],
    });
    const about = describeDeadLetter(body, { type: 'finding' });
    expect(about).toBe('type finding, severity high, customer C042, window 2026-11-27T16:00:00Z');
    expect(containsPhoneNumber(about)).toBe(false);
  });

  it('shows only field names of an unknown message, and the size of one that is not JSON', () => {
    expect(describeDeadLetter(JSON.stringify({ calling_number: '+12025550143' }))).toBe(
      'JSON message with fields calling_number',
    );
    expect(describeDeadLetter('+12025550143 hello')).toBe('not JSON (18 bytes)');
  });

  it("names a scheduled run EventBridge could not deliver by its time, and EventBridge's reason", () => {
    const body = JSON.stringify({
      version: '0',
      id: 'e1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-27T16:15:00Z',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/Traceguard-DeadlineSchedule'],
      detail: {},
    });
    expect(describeDeadLetter(body, { ERROR_CODE: 'SDK_CLIENT_ERROR', ERROR_MESSAGE: 'Rate exceeded' })).toBe(
      'scheduled run of 2026-11-27T16:15:00Z (SDK_CLIENT_ERROR: Rate exceeded)',
    );
  });

  it('masks a phone number used as a customer id or in an object key', () => {
    expect(containsPhoneNumber(describeDeadLetter('{"customer_id":"+12025550143"}'))).toBe(false);
    const key = JSON.stringify({
      Records: [{ s3: { bucket: { name: 'b' }, object: { key: 'cdr/x/2025550143.csv' } } }],
    });
    expect(containsPhoneNumber(describeDeadLetter(key))).toBe(false);
  });
});
