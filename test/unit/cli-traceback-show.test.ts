import { describe, expect, it } from 'vitest';
import { submittedText, tracebackSummary } from '../../cli/traceback-text.ts';
import type { TracebackRecord } from '../../shared/traceback/record.ts';

const OPEN: TracebackRecord = {
  tracebackId: 'ITG-2026-001234',
  status: 'open',
  receivedAt: '2026-11-28T14:05:00Z',
  deadline: '2026-11-29T14:05:00Z',
  callTime: '2026-11-27T16:31:07Z',
  requester: 'ITG',
  campaign: 'IRS\x1b[2J impersonation',
  request: {
    traceback_id: 'ITG-2026-001234',
    received_at: '2026-11-28T14:05:00Z',
    call_time: '2026-11-27T16:31:07Z',
    calling_number: '+12025550143',
    called_number: '+13125550199',
  },
  alertsSent: [],
};

const notFound = {
  traceback_id: OPEN.tracebackId,
  status: 'not_found' as const,
  deadline: OPEN.deadline,
  matches: [],
  searched: { batches: 0, from: '2026-11-27T16:29:07Z', to: '2026-11-27T16:33:07Z' },
  note: 'no CDR batch of 2026-11-27T16:29:07Z to 2026-11-27T16:33:07Z was on record, so nothing was searched',
};

const CORRECTED: TracebackRecord = {
  ...OPEN,
  status: 'answered',
  answeredAt: '2026-11-28T20:00:00Z',
  answer: {
    ...notFound,
    status: 'found',
    matches: [
      {
        call_id: 'a1b2',
        customer_id: 'C042',
        trunk_id: 'T7',
        switch_id: 'sbc-east-1',
        source_ip: '198.51.100.7',
        start_time: '2026-11-27T16:31:05Z',
        attestation: '',
        batch: 'cdr/sbc-east-1/2026/11/27/16.csv.gz',
        line: 1834,
        raw: 'a1b2,C042,+12025550143,+13125550199',
      },
    ],
    searched: { ...notFound.searched, batches: 1 },
    note: '1 matching call(s) received from C042/T7',
  },
  firstAnswer: { answer: notFound, answeredAt: '2026-11-28T15:00:00Z' },
  customerId: 'C042',
  trunkId: 'T7',
  repeatCount: 1,
  severity: 'medium',
  eventPublishedAt: '2026-11-28T20:00:01Z',
};

describe('traceback show', () => {
  it('an open request: its deadline and the time left, escaped, no numbers', () => {
    expect(tracebackSummary(OPEN, Date.parse('2026-11-29T10:53:00Z'))).toBe(
      [
        'traceback  ITG-2026-001234: open, not answered yet',
        'deadline   2026-11-29T14:05:00Z (3h 12m left)',
        'received   2026-11-28T14:05:00Z from ITG, campaign "IRS\\x1b[2J impersonation"',
        'call time  2026-11-27T16:31:07Z',
        '',
      ].join('\n'),
    );
  });

  it('an answer corrected by a late batch: the match, the customer, the earlier answer; numbers only with --json', () => {
    const text = tracebackSummary(CORRECTED, Date.parse('2026-12-07T10:00:00Z'));
    expect(text).toBe(
      [
        'traceback  ITG-2026-001234: found',
        'answered   2026-11-28T20:00:00Z (with 18h 05m left)',
        'deadline   2026-11-29T14:05:00Z',
        'received   2026-11-28T14:05:00Z from ITG, campaign "IRS\\x1b[2J impersonation"',
        'call time  2026-11-27T16:31:07Z',
        'searched   1 batch, calls from 2026-11-27T16:29:07Z to 2026-11-27T16:33:07Z',
        'customer   C042 on trunk T7: traceback 1 in the review window, severity medium; escalated 2026-11-28T20:00:01Z',
        'earlier    answered not_found at 2026-11-28T15:00:00Z over 0 batches; searched again when late batches arrived',
        'answer     1 matching call(s) received from C042/T7',
        'matches (1):',
        '  START                 CALL  CUSTOMER  TRUNK  SWITCH      ATTEST    BATCH:LINE',
        '  2026-11-27T16:31:05Z  a1b2  C042      T7     sbc-east-1  unsigned  cdr/sbc-east-1/2026/11/27/16.csv.gz:1834',
        '(the whole record, numbers and CDR rows included: traceguard traceback show ITG-2026-001234 --json)',
        '',
      ].join('\n'),
    );
  });

  it('a resubmission says the answer on record, not a new deadline', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    const due = { tracebackId: OPEN.tracebackId, dueAt: '2026-12-01T09:00:00Z' };
    expect(submittedText(due, null, { messageId: 'm-1' }, now)).toBe(
      'submitted traceback ITG-2026-001234 (message m-1); answer due 2026-12-01T09:00:00Z\n',
    );
    // still open: the deadline of its first receipt, not one counted from the resubmission
    expect(submittedText(due, OPEN, { messageId: 'm-2' }, now)).toBe(
      'submitted traceback ITG-2026-001234 again (message m-2): received first at 2026-11-28T14:05:00Z, not answered yet; answer due 2026-11-29T14:05:00Z\n',
    );
    const answered = submittedText(due, CORRECTED, null, now);
    expect(answered).toBe(
      `traceback ITG-2026-001234 was answered found at 2026-11-28T20:00:00Z; not sent again: the answer on record stands. The answer on record:\n${tracebackSummary(CORRECTED, now)}`,
    );
    expect(answered).toContain('answer     1 matching call(s) received from C042/T7');
    expect(answered).not.toContain('answer due');
  });
});
