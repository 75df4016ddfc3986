import { describe, expect, it } from 'vitest';
import { alertFor } from '../../shared/alerts/on-call-alert.ts';
import { auditEntryForEvent } from '../../shared/audit/compliance-event.ts';
import { parseEscalationEvent } from '../../shared/cases/events.ts';
import { findingEvent } from '../../shared/ingest/finding-event.ts';
import type { TracebackEvent } from '../../shared/traceback/ports.ts';
import { analyzeCalls, callsInHour, HOUR } from '../helpers/traffic.ts';

/**
 * The ComplianceEvents messages one function publishes are the input of three others (case starter,
 * on-call notifier, audit writer). These tests feed each consumer exactly what the producer builds,
 * so a field renamed on one side breaks here, not in production.
 */
const [finding] = analyzeCalls(
  callsInHour('C042', HOUR, 300, (i) => ({ calling: i % 5 === 0 ? '+12915550200' : '+12125550200' })),
);
const findingBody = JSON.stringify(
  findingEvent(finding, { batchKey: 'cdr/sbc-east-1/16.csv', switchId: 'sbc-east-1' }, ['call-1', 'call-2']),
);
const tracebackBody = JSON.stringify({
  type: 'traceback',
  traceback_id: 'ITG-2026-001234',
  customer_id: 'C042',
  trunk_id: 'T7',
  repeat_count: 2,
  severity: 'high',
  answered_at: '2026-11-28T15:00:00Z',
  status: 'found',
} satisfies TracebackEvent);

describe('ComplianceEvents contracts between functions', () => {
  it('the case starter accepts the finding ingest publishes, example call ids included', () => {
    expect(finding.severity).not.toBe('low');
    const event = parseEscalationEvent(findingBody, 'test');
    expect(event.type).toBe('finding');
    if (event.type === 'finding')
      expect(event.example_calls).toEqual([{ call_id: 'call-1' }, { call_id: 'call-2' }]);
  });

  it('the case starter accepts the traceback event the traceback function publishes', () => {
    expect(parseEscalationEvent(tracebackBody, 'test')).toMatchObject({
      type: 'traceback',
      customer_id: 'C042',
      repeat_count: 2,
    });
  });

  it('the on-call notifier explains both, and the audit writer records both', () => {
    expect(alertFor(findingBody).subject).toMatch(/C042 flagged \(INVALID_CALLING_NUMBER/);
    expect(alertFor(tracebackBody).text).toMatch(/customer C042 on trunk T7/);
    expect(auditEntryForEvent(findingBody, 'm1')).toMatchObject({
      action: 'event.finding',
      customerId: 'C042',
    });
    expect(auditEntryForEvent(tracebackBody, 'm2')).toMatchObject({
      action: 'event.traceback',
      customerId: 'C042',
    });
  });

  it('a traceback answer corrected by late batches says so to on-call and in the audit log', () => {
    const corrected = JSON.stringify({
      ...JSON.parse(tracebackBody),
      revised_from: 'not_found',
    } satisfies TracebackEvent);
    const alert = alertFor(corrected);
    expect(alert.subject).toBe('[HIGH] Traceguard: traceback ITG-2026-001234 answered (corrected)');
    expect(alert.text).toMatch(/answered not found before; a CDR batch that arrived late holds the call/);
    expect(alertFor(tracebackBody).subject).not.toMatch(/corrected/);
    expect(auditEntryForEvent(corrected, 'm3').details).toMatchObject({
      status: 'found',
      revised_from: 'not_found',
    });
    expect(parseEscalationEvent(corrected, 'test')).toMatchObject({ type: 'traceback', customer_id: 'C042' });
  });
});
