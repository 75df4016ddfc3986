import { describe, expect, it } from 'vitest';
import { missingFromCaseAudit } from '../../shared/cases/audit-coverage.ts';
import { assessCritical } from '../../shared/cases/critical.ts';
import { parseReviewDecision } from '../../shared/cases/decision.ts';
import { parseEscalationEvent } from '../../shared/cases/events.ts';
import { buildEvidence, joinedAfterEvidence } from '../../shared/cases/evidence.ts';
import { type CaseRecord, type DecisionKind, newCase } from '../../shared/cases/model.ts';
import { redactPhoneNumbers } from '../../shared/cases/redact.ts';
import { renderCase } from '../../shared/cases/render.ts';
import { applyDecision } from '../../shared/cases/transitions.ts';
import { onboardingDecisionSchema } from '../../shared/kyc/onboarding-decision.ts';

const AT = '2026-11-28T10:00:00.000Z';
const finding = {
  type: 'finding',
  customer_id: 'C042',
  window_start: '2026-11-27T16:00:00Z',
  window_end: '2026-11-27T17:00:00Z',
  severity: 'high',
  score: 87,
  reasons: [{ code: 'SHORT_CALL_RATIO', observed: 0.81, threshold: 0.2, detail: '81% of 4,210 calls' }],
  metrics: { calls: 4210, answered: 900 },
  batch: 'cdr/sbc-east-1/2026/11/27/16.csv.gz',
  example_calls: [
    { call_id: 'a1', attestation: 'A' },
    { call_id: 'a2', attestation: '' },
  ],
};

function waiting(stage: 'analyst' | 'executive', decisions: CaseRecord['decisions'] = []): CaseRecord {
  const base = newCase(
    'C042-F-1',
    { key: 'k', type: 'finding', severity: 'high', receivedAt: AT, event: finding },
    AT,
  );
  return { ...base, status: 'awaiting_review', awaitingStage: stage, decisions };
}

const decide = (decision: DecisionKind, decidedBy: string) => ({
  decision,
  reason: 'traffic pattern reviewed',
  decidedBy,
});

describe('review decision validation', () => {
  it('accepts a complete decision and trims it', () => {
    expect(
      parseReviewDecision({ ...decide('warn', ' alice '), reason: '  short calls, warned  ' }, 'cli'),
    ).toEqual({
      decision: 'warn',
      reason: 'short calls, warned',
      decidedBy: 'alice',
    });
  });

  it('names every bad field', () => {
    expect(() => parseReviewDecision({ decision: 'ban', reason: 'no', decidedBy: '' }, 'case X')).toThrow(
      /case X: decision must be one of dismiss, warn, suspend, terminate; reason must explain .*; decidedBy must name who decided/,
    );
  });

  it("refuses a decision under the automated steps' name, in a case review and an onboarding review alike", () => {
    expect(() => parseReviewDecision(decide('terminate', ' System '), 'case X')).toThrow(
      /decidedBy must name a person: 'system' is the name of the automated steps/,
    );
    expect(
      onboardingDecisionSchema.safeParse({
        decision: 'approve',
        reason: 'dossier verified',
        decidedBy: 'system',
      }).success,
    ).toBe(false);
  });

  it('says a missing reason is required', () => {
    expect(() => parseReviewDecision({ decision: 'warn', decidedBy: 'a' }, 'cli')).toThrow(
      /reason is required/,
    );
  });
});

describe('decision transitions', () => {
  it('routes an analyst warn straight to enforcement', () => {
    const result = applyDecision(waiting('analyst'), 'analyst', decide('warn', 'alice'), AT);
    expect(result).toMatchObject({ ok: true, route: 'warn', next: { status: 'enforcing', outcome: 'warn' } });
  });

  it('turns an analyst termination into a recommendation awaiting the executive', () => {
    const result = applyDecision(waiting('analyst'), 'analyst', decide('terminate', 'alice'), AT);
    expect(result).toMatchObject({
      ok: true,
      route: 'executive',
      next: { status: 'awaiting_review', awaitingStage: 'executive', outcome: null },
    });
  });

  it('refuses approval by the analyst who recommended termination, whatever the letter case', () => {
    const recommended = [
      { stage: 'analyst' as const, decision: 'terminate' as const, reason: 'r', decidedBy: 'alice', at: AT },
    ];
    const result = applyDecision(
      waiting('executive', recommended),
      'executive',
      decide('terminate', 'ALICE'),
      AT,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/different person must approve/);
    const approved = applyDecision(
      waiting('executive', recommended),
      'executive',
      decide('terminate', 'bob'),
      AT,
    );
    expect(approved).toMatchObject({ ok: true, route: 'terminate', next: { outcome: 'terminate' } });
  });

  it("shows an analyst's termination as a recommendation, and the executive's decision as its approval or decline", () => {
    const recommended = { stage: 'analyst' as const, ...decide('terminate', 'alice'), at: AT };
    const declined = { stage: 'executive' as const, ...decide('suspend', 'bob'), at: AT };
    const text = renderCase({ ...waiting('executive', [recommended, declined]), status: 'closed' }, []);
    expect(text).toContain(`${AT} analyst alice: recommends terminate - traffic pattern reviewed`);
    expect(text).toContain(
      `${AT} executive bob: declines the termination recommended, decides suspend - traffic pattern reviewed`,
    );
    const approved = { ...declined, decision: 'terminate' as const };
    expect(renderCase(waiting('executive', [recommended, approved]), [])).toContain(
      `${AT} executive bob: approves terminate - traffic pattern reviewed`,
    );
  });

  it('refuses a decision for a stage the case is not waiting in', () => {
    const result = applyDecision(waiting('analyst'), 'executive', decide('terminate', 'bob'), AT);
    expect(!result.ok && result.reason).toMatch(/waiting for the analyst review, not the executive review/);
  });
});

describe('critical case rule and evidence', () => {
  const event = parseEscalationEvent(JSON.stringify(finding), 'msg-1');
  const trigger = { key: 'k', type: 'finding' as const, severity: 'high' as const, receivedAt: AT, event };

  it("says what a case's audit stream lacks that its case record holds (a tail deleted from the chain)", () => {
    const base = { ...newCase('c', trigger, AT), status: 'closed' as const };
    const decisions = [
      { stage: 'analyst' as const, decision: 'terminate' as const, reason: 'x', decidedBy: 'alice', at: AT },
      { stage: 'executive' as const, decision: 'terminate' as const, reason: 'y', decidedBy: 'bob', at: AT },
    ];
    const whole = [
      'case.opened',
      'decision.analyst',
      'decision.executive',
      'customer.terminated',
      'case.closed',
    ];
    expect(missingFromCaseAudit({ ...base, decisions }, whole)).toBeNull();
    expect(missingFromCaseAudit({ ...base, decisions }, whole.slice(0, 2))).toBe(
      'the case holds 2 decisions, its audit stream 1',
    );
    expect(missingFromCaseAudit({ ...base, decisions }, whole.slice(0, 4))).toBe(
      'the case is closed, its audit stream ends with customer.terminated instead of case.closed',
    );
    const refusals = [{ stage: 'executive' as const, by: 'alice', why: 'same person', at: AT }];
    expect(missingFromCaseAudit({ ...base, decisions, refusals }, whole)).toBe(
      'the case holds 1 refused decision, its audit stream 0',
    );
  });

  it('counts one example call, one event and one day in the singular', () => {
    const oneCall = parseEscalationEvent(
      JSON.stringify({ ...finding, example_calls: finding.example_calls.slice(0, 1) }),
      'msg-2',
    );
    const opened = newCase('c', { ...trigger, event: oneCall }, AT);
    expect(renderCase(opened, [])).toContain('Evidence not gathered yet; 1 event attached');
    const evidence = buildEvidence(opened, null, [], new Date(AT));
    const customer = { ...evidence.customer, onboardedAt: '2026-11-27', ageDays: 1 };
    const text = renderCase(
      { ...opened, evidence: { ...evidence, customer }, status: 'awaiting_review' },
      [],
    );
    expect(text).toContain('  onboarded 2026-11-27 (1 day ago)');
    expect(text).toMatch(/^ {4}1 example call$/m);
  });

  it('shows the customer as the evidence found it, dated, not as its current status', () => {
    const evidence = buildEvidence(newCase('c', trigger, AT), null, [], new Date(AT));
    const text = renderCase({ ...newCase('c', trigger, AT), evidence, status: 'awaiting_review' }, []);
    expect(text).toContain(`Customer (as the evidence found it, ${AT})`);
    expect(text).toMatch(/; status then active$/m);
  });

  it('shows what joined the case after its evidence was gathered, apart from the evidence', () => {
    const opened = newCase('c', trigger, AT);
    const evidence = buildEvidence(opened, null, [], new Date(AT));
    const laterHour = {
      ...finding,
      window_start: '2026-11-27T17:00:00Z',
      window_end: '2026-11-27T18:00:00Z',
      reasons: [{ code: 'LOW_ACD', observed: 4.2, threshold: 30, detail: 'answered calls averaged 4.2 s' }],
    };
    const tb = { type: 'traceback', traceback_id: 'ITG-9', customer_id: 'C042', repeat_count: 1 };
    const record: CaseRecord = {
      ...opened,
      evidence,
      status: 'awaiting_review',
      triggers: [
        ...opened.triggers,
        { key: 'k2', type: 'finding', severity: 'high', receivedAt: AT, event: laterHour },
        { key: 't9', type: 'traceback', severity: 'high', receivedAt: AT, event: tb },
      ],
    };
    expect(joinedAfterEvidence(record).map((t) => t.key)).toEqual(['k2', 't9']);
    const text = renderCase(record, []);
    const later = text.slice(text.indexOf('Joined after the evidence was gathered (2; not in its digest)'));
    expect(later).toContain('2026-11-27T17:00:00Z .. 2026-11-27T18:00:00Z  high score 87');
    expect(later).toContain('LOW_ACD: answered calls averaged 4.2 s');
    expect(later).toContain('traceback ITG-9 (severity high)');
    // the opening finding is the evidence's, listed once, above
    expect(later).not.toContain('2026-11-27T16:00:00Z');
    // nothing joined since: no such section
    expect(renderCase({ ...opened, evidence, status: 'awaiting_review' }, [])).not.toContain('Joined after');
  });

  it('is not critical for a high finding with no DNO volume or repeat tracebacks', () => {
    const evidence = buildEvidence(newCase('c', trigger, AT), null, [], new Date(AT));
    expect(evidence.customer.vetting).toBe('new');
    expect(evidence.attestationMix).toEqual({ A: 0.5, unsigned: 0.5 });
    expect(assessCritical(evidence)).toEqual({ critical: false, why: [] });
  });

  it('is critical for DNO calling numbers at volume and for a third traceback in a year', () => {
    const dno = { ...event, reasons: [{ code: 'DNO_CALLING_NUMBER', observed: 150, detail: 'x' }] };
    const evidence = buildEvidence(newCase('c', { ...trigger, event: dno }, AT), null, [], new Date(AT));
    expect(assessCritical(evidence).why).toEqual(['DNO_CALLING_NUMBER: 150 calls in a window of 4210']);
    // one DNO call in a busy hour is not volume: the case waits for review
    const one = { ...event, reasons: [{ code: 'DNO_CALLING_NUMBER', observed: 1, detail: 'x' }] };
    const single = buildEvidence(newCase('c', { ...trigger, event: one }, AT), null, [], new Date(AT));
    expect(assessCritical(single)).toEqual({ critical: false, why: [] });
    const history = [
      { tracebackId: 'ITG-1', answeredAt: '2026-03-01T00:00:00Z' },
      { tracebackId: 'ITG-2', answeredAt: '2026-09-01T00:00:00Z' },
      { tracebackId: 'ITG-0', answeredAt: '2024-01-01T00:00:00Z' },
    ];
    const tb = {
      type: 'traceback',
      traceback_id: 'ITG-3',
      customer_id: 'C042',
      repeat_count: 1,
      severity: 'high',
    };
    const withTb = buildEvidence(
      newCase('c', { ...trigger, key: 't', type: 'traceback', event: tb }, AT),
      null,
      history,
      new Date(AT),
    );
    expect(withTb.tracebacks).toMatchObject({ total: 4, inLast365Days: 3 });
    expect(assessCritical(withTb)).toMatchObject({ critical: true });
    // ITG-2 asked about the call ITG-1 traced back: one call, so two tracebacks in the year, not three
    const sameCall = history.map((h) => (h.tracebackId === 'ITG-0' ? h : { ...h, call: 'sbc-east-1/a1b2' }));
    const once = buildEvidence(
      newCase('c', { ...trigger, key: 't', type: 'traceback', event: tb }, AT),
      null,
      sameCall,
      new Date(AT),
    );
    expect(once.tracebacks).toMatchObject({ total: 3, inLast365Days: 2, ids: ['ITG-0', 'ITG-1', 'ITG-3'] });
    expect(assessCritical(once)).toMatchObject({ critical: false });
  });

  it('rejects a malformed escalation message naming the field', () => {
    expect(() => parseEscalationEvent('{"type":"finding","customer_id":"C1"}', 'msg-7')).toThrow(
      /msg-7: not an escalation event \(window_start/,
    );
    expect(() => parseEscalationEvent('nope', 'msg-8')).toThrow('msg-8: body is not JSON');
  });

  it('masks phone numbers in notification text', () => {
    expect(redactPhoneNumbers('caller +1 (202) 555-0143 hit 4,210 calls')).toBe(
      'caller ***0143 hit 4,210 calls',
    );
  });
});
