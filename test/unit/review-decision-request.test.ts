import { describe, expect, it } from 'vitest';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import { samePerson } from '../../shared/audit/same-person.ts';
import { InMemoryCaseStore } from '../../shared/cases/in-memory.ts';
import { type CaseRecord, newCase } from '../../shared/cases/model.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import { InMemoryDossierStore } from '../../shared/kyc/in-memory.ts';
import { callerFromArn, UnknownCaller } from '../../shared/review/caller.ts';
import { answerDecisionRequest } from '../../shared/review/decision-request.ts';
import { cleanApplication } from './kyc-fixtures.ts';

const AT = '2026-11-28T10:00:00.000Z';
const EXECUTIVE_ROLE = 'Traceguard-prod-ExecutiveReviewerRole';
const session = (role: string, name: string) => `arn:aws:sts::111122223333:assumed-role/${role}/${name}`;
const analyst = (name: string) =>
  callerFromArn(session('Traceguard-prod-ReviewerRole', name), [EXECUTIVE_ROLE]);
const executive = (name: string) => callerFromArn(session(EXECUTIVE_ROLE, name), [EXECUTIVE_ROLE]);

/** One case waiting in `stage`, with its task token, and what the decision function sends back. */
async function caseWaiting(stage: 'analyst' | 'executive', decisions: CaseRecord['decisions'] = []) {
  const cases = new InMemoryCaseStore();
  const base = newCase(
    'C042-F-1',
    {
      key: 'k',
      type: 'finding',
      severity: 'high',
      receivedAt: AT,
      event: { type: 'finding', customer_id: 'C042' },
    } as CaseRecord['triggers'][number],
    AT,
  );
  cases.cases.set(base.caseId, { ...base, status: 'awaiting_review', awaitingStage: stage, decisions });
  await cases.saveToken(base.caseId, stage, `token-${stage}`);
  const sent: Array<{ token: string; output: Record<string, unknown> }> = [];
  const deps = {
    cases,
    dossiers: new InMemoryDossierStore(),
    audit: new InMemoryAuditStore(),
    callbacks: {
      succeed: async (token: string, output: unknown) =>
        void sent.push({ token, output: output as Record<string, unknown> }),
    },
    now: () => new Date(AT),
  };
  return { cases, deps, sent, caseId: base.caseId };
}

const recommended = (by: string): CaseRecord['decisions'] => [
  { stage: 'analyst', decision: 'terminate', reason: 'DNO spoofing at volume', decidedBy: by, at: AT },
];

describe('the caller IAM verified is who decides', () => {
  it('ignores a decidedBy written into the request: the decision is the caller’s', async () => {
    const c = await caseWaiting('executive', recommended('analyst-alice'));
    const answer = await answerDecisionRequest(
      {
        kind: 'case',
        caseId: c.caseId,
        decision: 'terminate',
        reason: 'approved after reviewing the evidence',
        decidedBy: 'exec-bob',
      },
      analyst('analyst-alice'),
      c.deps,
    );
    // alice, not the bob she wrote, and refused: she is no executive, and she proposed it
    expect(answer.statusCode).toBe(409);
    expect(c.sent).toEqual([]);
    expect((await c.cases.get(c.caseId))?.refusals.map((r) => r.by)).toEqual(['analyst-alice']);
  });

  it('sends the verified person and full ARN to the parked task', async () => {
    const c = await caseWaiting('analyst');
    const answer = await answerDecisionRequest(
      {
        kind: 'case',
        caseId: c.caseId,
        decision: 'terminate',
        reason: 'DNO spoofing at volume',
        decidedBy: 'exec-bob',
      },
      analyst('alice'),
      c.deps,
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { stage: 'analyst', decidedBy: 'alice' } });
    expect(c.sent).toEqual([
      {
        token: 'token-analyst',
        output: expect.objectContaining({
          decision: 'terminate',
          decidedBy: 'alice',
          decidedByArn: session('Traceguard-prod-ReviewerRole', 'alice'),
          stage: 'analyst',
        }),
      },
    ]);
  });

  it('refuses an analyst-role caller the executive step, and records the refusal', async () => {
    const c = await caseWaiting('executive', recommended('alice'));
    const answer = await answerDecisionRequest(
      {
        kind: 'case',
        caseId: c.caseId,
        decision: 'terminate',
        reason: 'approved after reviewing the evidence',
      },
      analyst('bob'),
      c.deps,
    );
    expect(answer).toMatchObject({ statusCode: 409, body: { kind: 'ReviewRefused' } });
    expect((answer.body as { error: string }).error).toMatch(/bob is not an executive reviewer/);
    expect(c.sent).toEqual([]);
    expect((await c.cases.get(c.caseId))?.refusals).toEqual([
      expect.objectContaining({ stage: 'executive', by: 'bob' }),
    ]);
    const audit = await c.deps.audit.list(`case#${c.caseId}`);
    expect(audit.at(-1)).toMatchObject({
      action: 'decision.refused',
      actor: { id: 'bob' },
      details: { byArn: session('Traceguard-prod-ReviewerRole', 'bob') },
    });
  });

  it('refuses the proposer approving their own termination, under the executive role too, and records it', async () => {
    const c = await caseWaiting('executive', recommended('alice'));
    const answer = await answerDecisionRequest(
      { kind: 'case', caseId: c.caseId, decision: 'terminate', reason: 'approving what I recommended' },
      executive('alice'),
      c.deps,
    );
    expect(answer).toMatchObject({ statusCode: 409 });
    expect((answer.body as { error: string }).error).toMatch(/alice recommended the termination/);
    expect(c.sent).toEqual([]);
    expect((await c.cases.get(c.caseId))?.refusals).toEqual([
      expect.objectContaining({ stage: 'executive', by: 'alice' }),
    ]);
  });

  it('lets an executive other than the proposer approve', async () => {
    const c = await caseWaiting('executive', recommended('alice'));
    const answer = await answerDecisionRequest(
      {
        kind: 'case',
        caseId: c.caseId,
        decision: 'terminate',
        reason: 'approved after reviewing the evidence',
      },
      executive('bob'),
      c.deps,
    );
    expect(answer).toMatchObject({ statusCode: 200, body: { stage: 'executive', decidedBy: 'bob' } });
    expect(c.sent.map((s) => s.token)).toEqual(['token-executive']);
  });

  it('refuses an analyst-role caller an application’s executive approval, and records it on the dossier', async () => {
    const c = await caseWaiting('analyst');
    const dossier = newDossier(cleanApplication(), 'sales-sam', new Date(AT));
    await c.deps.dossiers.save({ ...dossier, status: 'awaiting_review', awaitingStage: 'executive' });
    await c.deps.dossiers.saveToken(dossier.applicationId, 'executive', 'app-token');
    const body = {
      kind: 'application',
      applicationId: dossier.applicationId,
      decision: 'approve',
      reason: 'dossier verified in full',
    };
    const refused = await answerDecisionRequest(body, analyst('bob'), c.deps);
    expect(refused).toMatchObject({ statusCode: 409, body: { kind: 'ApplicationRefused' } });
    expect((await c.deps.dossiers.get(dossier.applicationId))?.refusals).toEqual([
      expect.objectContaining({ stage: 'executive', by: 'bob' }),
    ]);
    expect(c.sent).toEqual([]);
    const approved = await answerDecisionRequest(body, executive('bob'), c.deps);
    expect(approved).toMatchObject({ statusCode: 200, body: { kind: 'application', stage: 'executive' } });
    expect(c.sent.map((s) => s.token)).toEqual(['app-token']);
  });

  it('answers a malformed request with 400 naming the field', async () => {
    const c = await caseWaiting('analyst');
    expect(await answerDecisionRequest({ kind: 'case' }, analyst('alice'), c.deps)).toMatchObject({
      statusCode: 400,
      body: { error: expect.stringMatching(/caseId/) },
    });
    expect(await answerDecisionRequest({ kind: 'ticket', id: 'x' }, analyst('alice'), c.deps)).toMatchObject({
      statusCode: 400,
    });
  });
});

describe('callerFromArn', () => {
  it('takes the session name of a role, the user name of an IAM user', () => {
    expect(executive('bob')).toEqual({ person: 'bob', arn: session(EXECUTIVE_ROLE, 'bob'), executive: true });
    expect(callerFromArn('arn:aws:iam::111122223333:user/staff/carol', [EXECUTIVE_ROLE])).toEqual({
      person: 'carol',
      arn: 'arn:aws:iam::111122223333:user/staff/carol',
      executive: false,
    });
    // only a session of a configured executive role is an executive: a user named like it is not
    expect(
      callerFromArn(`arn:aws:iam::111122223333:user/${EXECUTIVE_ROLE}`, [EXECUTIVE_ROLE]).executive,
    ).toBe(false);
  });

  it('refuses the account root, which is no person', () => {
    expect(() => callerFromArn('arn:aws:iam::111122223333:root', [EXECUTIVE_ROLE])).toThrow(UnknownCaller);
  });

  it('counts one person under two roles as one person', () => {
    expect(
      samePerson(session('Traceguard-prod-ReviewerRole', 'alice'), session(EXECUTIVE_ROLE, 'Alice')),
    ).toBe(true);
    expect(samePerson(session(EXECUTIVE_ROLE, 'alice'), 'alice')).toBe(true);
  });
});
