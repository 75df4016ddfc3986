import { describe, expect, it } from 'vitest';
import {
  differentCall,
  parseTracebackRequest,
  TracebackRequestError,
} from '../../shared/traceback/request.ts';

const GOOD = {
  traceback_id: 'ITG-2026-001234',
  received_at: '2026-11-28T14:05:00Z',
  call_time: '2026-11-27T16:31:07Z',
  calling_number: '+12025550143',
  called_number: '+13125550199',
  requester: 'ITG',
  campaign: 'IRS impersonation',
};

function errorFor(doc: unknown): TracebackRequestError {
  try {
    parseTracebackRequest(typeof doc === 'string' ? doc : JSON.stringify(doc), 'req.json');
  } catch (e) {
    if (e instanceof TracebackRequestError) return e;
    throw e;
  }
  throw new Error('request was accepted');
}

describe('traceback request validation', () => {
  it('accepts the contract example and normalizes numbers and times', () => {
    const r = parseTracebackRequest(
      JSON.stringify({ ...GOOD, calling_number: '(202) 555-0143' }),
      'req.json',
    );
    expect(r).toMatchObject({
      tracebackId: 'ITG-2026-001234',
      calling: '+12025550143',
      called: '+13125550199',
      callMs: Date.UTC(2026, 10, 27, 16, 31, 7),
      receivedMs: Date.UTC(2026, 10, 28, 14, 5, 0),
      switchId: null,
    });
  });

  it('accepts epoch times given as JSON numbers, read as the same digits in a string are', () => {
    const epochs = { received_at: 1795874700, call_time: 1795797067000 };
    const asNumbers = parseTracebackRequest(JSON.stringify({ ...GOOD, ...epochs }), 'req.json');
    const asStrings = parseTracebackRequest(
      JSON.stringify({ ...GOOD, received_at: '1795874700', call_time: '1795797067000' }),
      'req.json',
    );
    expect(asNumbers).toMatchObject({
      receivedMs: Date.UTC(2026, 10, 28, 14, 5, 0),
      callMs: Date.UTC(2026, 10, 27, 16, 31, 7),
    });
    expect(asNumbers.receivedMs).toBe(asStrings.receivedMs);
    expect(asNumbers.callMs).toBe(asStrings.callMs);
  });

  it.each([
    ['received_at', { received_at: 42 }, /received_at: received_at must be an ISO 8601 time/],
    ['call_time', { call_time: true }, /call_time: call_time must be a JSON string or number$/],
    ['traceback_id', { traceback_id: '' }, /traceback_id: traceback_id must not be empty/],
    ['traceback_id', { traceback_id: 'has space' }, /printable ASCII without spaces/],
    ['received_at', { received_at: 'yesterday' }, /received_at: received_at must be an ISO 8601 time/],
    [
      'call_time',
      { call_time: '2026-11-27 16:31:07' },
      /call_time: call_time must be an ISO 8601 time with an offset/,
    ],
    ['calling_number', { calling_number: ' ' }, /calling_number: calling_number must not be empty/],
    ['calling_number', { calling_number: null }, /calling_number: calling_number must be a JSON string$/],
    ['called_number', { called_number: '5565541' }, /called_number: called_number is not a phone number/],
    ['called_number', { called_number: 'anonymous' }, /called_number: called_number is not a phone number/],
    ['called_number', { called_number: '' }, /called_number: called_number must not be empty/],
    ['called_number', { called_number: 3125550199 }, /called_number: called_number must be a JSON string$/],
  ])('names the bad field %s', (field, patch, message) => {
    const e = errorFor({ ...GOOD, ...patch });
    expect(e.field).toBe(field);
    expect(e.message).toMatch(/^req.json: invalid traceback request: /);
    expect(e.message).toMatch(message);
  });

  it('accepts a caller ID that is no number (spoofed, withheld), kept as a CDR holds it', () => {
    const parse = (calling_number: string) =>
      parseTracebackRequest(JSON.stringify({ ...GOOD, calling_number }), 'req.json');
    expect(parse('5565541')).toMatchObject({ calling: '5565541', callingClass: 'invalid_digits' });
    expect(parse('sip:556-5541@203.0.113.9')).toMatchObject({
      calling: '5565541',
      callingClass: 'invalid_digits',
    });
    expect(parse('IRS-HELP')).toMatchObject({ calling: 'irs-help', callingClass: 'invalid_digits' });
    expect(parse('Anonymous')).toMatchObject({ calling: '', callingClass: 'blank' });
    // the same spoofed caller ID written in two shapes is one call, not another one under the same id
    expect(differentCall(parse('556-5541'), parse('5565541'))).toEqual([]);
    expect(differentCall(parse('5565542'), parse('5565541'))).toEqual(['calling_number']);
  });

  it('names a missing field and reports every bad field at once', () => {
    const { traceback_id: _, ...rest } = GOOD;
    const e = errorFor({ ...rest, call_time: 'soon' });
    expect(e.issues.map((i) => i.split(':')[0]).sort()).toEqual(['call_time', 'traceback_id']);
    // in words a requester can act on, not zod's "Invalid input: expected string, received undefined"
    const { called_number: __, ...noCalled } = GOOD;
    expect(errorFor(noCalled).message).toBe(
      'req.json: invalid traceback request: called_number: called_number is missing',
    );
    const { calling_number: ___, ...noCalling } = GOOD;
    expect(errorFor(noCalling).message).toBe(
      'req.json: invalid traceback request: calling_number: calling_number is missing',
    );
  });

  it('says when the body is not JSON or not an object', () => {
    expect(errorFor('{"traceback_id":').message).toMatch(
      /req.json: invalid traceback request: body: not JSON/,
    );
    expect(errorFor([1, 2]).field).toBe('body');
  });

  describe('times no real request has, when a request arrives', () => {
    const NOW = Date.parse('2026-12-07T10:00:00Z');
    const arriving = (patch: Record<string, unknown>) => {
      try {
        return parseTracebackRequest(JSON.stringify({ ...GOOD, ...patch }), 'req.json', NOW);
      } catch (e) {
        if (e instanceof TracebackRequestError) return e;
        throw e;
      }
    };

    it('refuses a call a month in the future, naming the field, the time and now', () => {
      const e = arriving({ call_time: '2027-01-07T16:31:07Z', received_at: '2027-01-08T09:00:00Z' });
      expect(e).toBeInstanceOf(TracebackRequestError);
      expect((e as TracebackRequestError).field).toBe('call_time');
      expect((e as Error).message).toBe(
        'req.json: invalid traceback request: ' +
          'call_time: 2027-01-07T16:31:07Z is in the future (now 2026-12-07T10:00:00Z, 5 minutes of clock skew allowed): it must be when the call was made; ' +
          'received_at: 2027-01-08T09:00:00Z is in the future (now 2026-12-07T10:00:00Z, 5 minutes of clock skew allowed): it must be when the request reached us',
      );
    });

    it('refuses a request received before its call', () => {
      const e = arriving({ call_time: '2026-11-28T16:31:07Z', received_at: '2026-11-28T14:05:00Z' });
      expect((e as TracebackRequestError).field).toBe('call_time');
      expect((e as Error).message).toBe(
        'req.json: invalid traceback request: call_time: 2026-11-28T16:31:07Z is after received_at 2026-11-28T14:05:00Z: ' +
          'a request cannot reach us before the call it asks about (are the two swapped, or is an offset or the year wrong?)',
      );
    });

    it('accepts the contract example, and times off by a few minutes of clock skew', () => {
      expect(arriving({})).not.toBeInstanceOf(Error);
      // a call reported a minute after the request reached us; a request stamped by a clock 4 min fast
      expect(arriving({ call_time: '2026-11-28T14:06:00Z' })).not.toBeInstanceOf(Error);
      expect(
        arriving({ call_time: '2026-12-07T10:03:00Z', received_at: '2026-12-07T10:04:00Z' }),
      ).not.toBeInstanceOf(Error);
      expect(
        arriving({ call_time: '2026-12-07T10:06:00Z', received_at: '2026-12-07T10:06:00Z' }),
      ).toBeInstanceOf(TracebackRequestError);
    });

    it('does not judge a request read back from the record by the clock', () => {
      const stored = { ...GOOD, call_time: '2027-01-07T16:31:07Z', received_at: '2027-01-08T09:00:00Z' };
      expect(parseTracebackRequest(JSON.stringify(stored), 'stored').tracebackId).toBe('ITG-2026-001234');
    });
  });
});
