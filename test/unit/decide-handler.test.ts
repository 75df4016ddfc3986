import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeDecideHandler } from '../../functions/decide/dispatch.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import { InMemoryCaseStore } from '../../shared/cases/in-memory.ts';
import { type CaseRecord, newCase } from '../../shared/cases/model.ts';
import { InMemoryDossierStore } from '../../shared/kyc/in-memory.ts';

const AT = '2026-11-28T10:00:00.000Z';
const EXECUTIVE_ROLE = 'Traceguard-prod-ExecutiveReviewerRole';
const ANALYST_ARN = 'arn:aws:sts::111122223333:assumed-role/Traceguard-prod-ReviewerRole/analyst-alice';

/** A function URL request as Lambda hands it over, signed by `userArn` (none: unsigned). */
function request(body: unknown, userArn?: string): APIGatewayProxyEventV2WithIAMAuthorizer {
  return {
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: userArn ? { iam: { userArn } } : undefined },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

async function waitingForExecutive() {
  const cases = new InMemoryCaseStore();
  const base = newCase(
    'C042-F-1',
    {
      key: 'k',
      type: 'finding',
      severity: 'high',
      receivedAt: AT,
      event: {},
    } as CaseRecord['triggers'][number],
    AT,
  );
  const recommended = {
    stage: 'analyst' as const,
    decision: 'terminate' as const,
    reason: 'DNO spoofing at volume',
  };
  await cases.open({
    ...base,
    status: 'awaiting_review',
    awaitingStage: 'executive',
    decisions: [{ ...recommended, decidedBy: ANALYST_ARN, at: AT }],
  });
  await cases.saveToken(base.caseId, 'executive', 'token-executive');
  const sent: unknown[] = [];
  const handler = makeDecideHandler(
    {
      cases,
      dossiers: new InMemoryDossierStore(),
      audit: new InMemoryAuditStore(),
      callbacks: { succeed: async (_token: string, output: unknown) => void sent.push(output) },
    },
    [EXECUTIVE_ROLE],
  );
  return { cases, sent, handler, caseId: base.caseId };
}

describe('the decision function URL handler', () => {
  it('ignores the decidedBy an analyst writes into the body: her own session decides, and is refused', async () => {
    const c = await waitingForExecutive();
    const answer = await c.handler(
      request(
        {
          kind: 'case',
          caseId: c.caseId,
          decision: 'terminate',
          reason: 'approved after review',
          decidedBy: 'exec-bob',
        },
        ANALYST_ARN,
      ),
    );
    expect(answer.statusCode).toBe(409);
    expect(JSON.parse(answer.body as string).error).toMatch(/^analyst-alice is not an executive reviewer/);
    expect(c.sent).toEqual([]);
    expect((await c.cases.get(c.caseId))?.refusals.map((r) => r.by)).toEqual(['analyst-alice']);
  });

  it('sends an executive’s approval under the verified session name and ARN', async () => {
    const c = await waitingForExecutive();
    const bob = `arn:aws:sts::111122223333:assumed-role/${EXECUTIVE_ROLE}/exec-bob`;
    const answer = await c.handler(
      request(
        { kind: 'case', caseId: c.caseId, decision: 'terminate', reason: 'approved after review' },
        bob,
      ),
    );
    expect(answer.statusCode).toBe(200);
    expect(c.sent).toEqual([
      expect.objectContaining({ decidedBy: 'exec-bob', decidedByArn: bob, stage: 'executive' }),
    ]);
  });

  it('refuses a request with no verified caller, or one naming no person', async () => {
    const c = await waitingForExecutive();
    const body = { kind: 'case', caseId: c.caseId, decision: 'terminate', reason: 'approved after review' };
    expect((await c.handler(request(body))).statusCode).toBe(401);
    expect((await c.handler(request(body, 'arn:aws:iam::111122223333:root'))).statusCode).toBe(403);
    expect(c.sent).toEqual([]);
  });
});
