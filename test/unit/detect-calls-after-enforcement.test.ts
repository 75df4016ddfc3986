import { describe, expect, it } from 'vitest';
import { customerFromItem, judgedCustomer } from '../../shared/aws/reference-store.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { parseCustomers } from '../../shared/detect/customers.ts';
import { analyzeCalls, callsInHour, customer, HOUR, referenceWith } from '../helpers/traffic.ts';

/**
 * CALLS_AFTER_ENFORCEMENT: a customer the carrier suspended or terminated sends no calls after that.
 * The traffic below is otherwise unremarkable (answered, 3-minute calls from random caller IDs), so
 * any finding is this rule's.
 */
const HALF_PAST = new Date(HOUR + HOUR_MS / 2).toISOString();
const NEXT = HOUR + HOUR_MS;

function blocked(id: string, status: 'suspended' | 'terminated' | 'warned', since: string) {
  return { ...customer(id, 'standard', 'conversational'), status, status_changed_at: since };
}

/** 200 answered 3-minute calls in the hour from the customer's ten numbers */
const quiet = (id: string, hourMs: number, seed = 1) =>
  callsInHour(id, hourMs, 200, (i) => ({ calling: `+1312987${1000 + (i % 10)}` }), seed);
const byWindow = (a: { window_start: string }, b: { window_start: string }) =>
  a.window_start.localeCompare(b.window_start);

describe('CALLS_AFTER_ENFORCEMENT', () => {
  it('makes every call after a termination critical, and an hour whose last calls came after it', () => {
    const ref = referenceWith(blocked('TERM', 'terminated', HALF_PAST));
    const findings = analyzeCalls([...quiet('TERM', HOUR), ...quiet('TERM', NEXT, 2)], ref).sort(byWindow);
    expect(findings.map((f) => [f.window_start, f.severity, f.reasons.map((r) => r.code)])).toEqual([
      ['2026-11-27T14:00:00Z', 'critical', ['CALLS_AFTER_ENFORCEMENT']],
      ['2026-11-27T15:00:00Z', 'critical', ['CALLS_AFTER_ENFORCEMENT']],
    ]);
    const [mixed, after] = findings.map((f) => f.reasons[0]);
    expect(mixed).toMatchObject({ observed: 1 });
    expect(mixed.detail).toBe(
      "calls until 2026-11-27T14:59:42Z (at least one of the hour's 200) reached the PSTN after the customer was terminated (2026-11-27T14:30:00Z); its traffic should have been blocked at the switch",
    );
    expect(after).toMatchObject({ observed: 200 });
    expect(after.detail).toMatch(/^200 calls reached the PSTN after the customer was terminated/);
  });

  it('makes calls after a suspension high, and leaves the hours before it, warned and active customers alone', () => {
    const ref = referenceWith(
      blocked('SUSP', 'suspended', new Date(NEXT).toISOString()),
      blocked('WARN', 'warned', HALF_PAST),
      customer('OK', 'standard', 'conversational'),
    );
    const calls = ['SUSP', 'WARN', 'OK'].flatMap((id) => [...quiet(id, HOUR), ...quiet(id, NEXT, 2)]);
    const findings = analyzeCalls(calls, ref);
    expect(findings.map((f) => [f.customer_id, f.window_start, f.severity])).toEqual([
      ['SUSP', '2026-11-27T15:00:00Z', 'high'],
    ]);
  });

  it('does not count an hour whose late call may be an emergency call (never blocked)', () => {
    const ref = referenceWith(blocked('TERM', 'terminated', HALF_PAST));
    // 200 calls before the termination, then a 911 call after it
    const before = quiet('TERM', HOUR).map((c) => ({
      ...c,
      startMs: c.startMs / 2 + HOUR / 2,
    }));
    const emergency = {
      ...quiet('TERM', HOUR)[0],
      callId: 'e',
      startMs: HOUR + 50 * 60_000,
      called: '911',
      calledClass: 'invalid_digits' as const,
    };
    expect(analyzeCalls([...before, emergency], ref)).toEqual([]);
  });

  it('judges the calls between a suspension and the termination after it as calls after a suspension', () => {
    // suspended at 14:30, terminated at 15:30: the 14:00 hour's late calls came during the suspension
    const ref = referenceWith({
      ...blocked('TERM', 'terminated', new Date(NEXT + HOUR_MS / 2).toISOString()),
      blocked_since: HALF_PAST,
    });
    const findings = analyzeCalls([...quiet('TERM', HOUR), ...quiet('TERM', NEXT, 2)], ref).sort(byWindow);
    expect(findings.map((f) => [f.window_start, f.severity])).toEqual([
      ['2026-11-27T14:00:00Z', 'high'],
      ['2026-11-27T15:00:00Z', 'critical'],
    ]);
    expect(findings[0].reasons[0].detail).toMatch(
      /reached the PSTN after the customer was suspended \(2026-11-27T14:30:00Z; terminated since 2026-11-27T15:30:00Z\)/,
    );
    expect(findings[1].reasons[0]).toMatchObject({ observed: 200 });
    expect(findings[1].reasons[0].detail).toMatch(
      /^200 calls reached the PSTN after the customer was suspended \(2026-11-27T14:30:00Z\), the last of them after it was terminated \(2026-11-27T15:30:00Z\)/,
    );
  });

  it('counts the PSTN calls after the block when an emergency call came before them in the hour', () => {
    const ref = referenceWith(blocked('TERM', 'terminated', HALF_PAST));
    // a 911 call before the termination, then 12 PSTN calls after it, all in one hour
    const emergency = {
      ...quiet('TERM', HOUR)[0],
      callId: 'e',
      startMs: HOUR + 60_000,
      called: '911',
      calledClass: 'invalid_digits' as const,
    };
    const after = quiet('TERM', HOUR)
      .slice(0, 12)
      .map((c, i) => ({ ...c, startMs: HOUR + 40 * 60_000 + i * 1000 }));
    const [finding] = analyzeCalls([emergency, ...after], ref);
    expect(finding).toMatchObject({ severity: 'critical' });
    expect(finding.reasons[0]).toMatchObject({ code: 'CALLS_AFTER_ENFORCEMENT', observed: 12 });
    expect(finding.reasons[0].detail).toMatch(/^12 calls reached the PSTN after the customer was terminated/);
  });

  it('reads the status and its date from the registry CSV and from the Customers table row', () => {
    const header = 'customer_id,name,onboarded_at,vetting,traffic_profile,status,status_changed_at';
    const csv = `${header}\nC1,A,2024-01-01,standard,dialer,Terminated,2026-11-27T14:30:00Z\nC2,B,2024-01-01,new,dialer,,\n`;
    const parsed = parseCustomers(csv, 'customers.csv');
    expect(parsed.get('C1')).toMatchObject({
      status: 'terminated',
      status_changed_at: '2026-11-27T14:30:00Z',
    });
    expect(parsed.get('C2')?.status).toBeUndefined();
    expect(() =>
      parseCustomers(`${header}\nC1,A,2024-01-01,standard,dialer,suspended,\n`, 'customers.csv'),
    ).toThrow(
      'customers.csv: line 2: status_changed_at: a suspended or terminated customer needs status_changed_at (when its calls had to stop)',
    );
    expect(() =>
      parseCustomers(`${header}\nC1,A,2024-01-01,standard,dialer,paused,2026-11-27\n`, 'customers.csv'),
    ).toThrow(/customers\.csv: line 2: status: /);
    // the case workflow's row for a customer missing from the registry: no registry row (onboarding
    // reads it so), but detection judges it as a new customer with its status
    const statusOnly = { pk: 'CUST#X', status: 'terminated', statusChangedAt: '2026-11-27T14:30:00.000Z' };
    expect(customerFromItem(statusOnly)).toBeNull();
    expect(judgedCustomer('X', statusOnly)).toMatchObject({
      customer_id: 'X',
      vetting: 'new',
      status: 'terminated',
    });
    expect(judgedCustomer('X', { pk: 'CUST#X' })).toBeNull();
    // a status without its date cannot say which calls came after: the row keeps its registry data
    expect(
      judgedCustomer('Y', {
        pk: 'CUST#Y',
        vetting: 'trusted',
        traffic_profile: 'dialer',
        status: 'suspended',
      }),
    ).toMatchObject({ customer_id: 'Y', vetting: 'trusted' });
  });
});
