import { z } from 'zod';
import type { AuditStore } from '../audit/ports.ts';
import type { CaseStore, ReviewCallbacks } from '../cases/ports.ts';
import { submitDecision } from '../cases/review.ts';
import { decideApplication } from '../kyc/intake.ts';
import type { DossierStore } from '../kyc/ports.ts';
import type { VerifiedCaller } from './caller.ts';

const id = (what: string) =>
  z
    .string({ error: `is required: the ${what} decided` })
    .trim()
    .min(1, { error: `must name the ${what}` })
    .max(200, { error: 'must be at most 200 characters' });

/**
 * What a reviewer sends to the decision function: which case or application, the decision and why.
 * Who decides is not in it: a `decidedBy` in the body is dropped, the verified caller decides.
 * The decision and reason are checked by the case's or the application's own rules.
 */
export const decisionRequestSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('case'), caseId: id('case'), decision: z.unknown(), reason: z.unknown() }),
    z.object({
      kind: z.literal('application'),
      applicationId: id('application'),
      decision: z.unknown(),
      reason: z.unknown(),
    }),
  ],
  { error: "kind must be 'case' or 'application'" },
);
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

export class InvalidDecisionRequest extends Error {
  override name = 'InvalidDecisionRequest';
}

export interface DecisionDeps {
  cases: CaseStore;
  dossiers: DossierStore;
  audit: AuditStore;
  /** answers the parked review task of either state machine */
  callbacks: ReviewCallbacks;
  now?: () => Date;
}

export interface DecisionSent {
  kind: DecisionRequest['kind'];
  id: string;
  stage: string;
  decision: string;
  decidedBy: string;
  decidedByArn: string;
}

/**
 * A review decision, case or application, from the caller IAM verified: validated, checked against
 * the rules (the executive's review only by an executive, a different person than the one before),
 * a refusal recorded, then the parked task answered with the token read here (the caller never holds
 * one). Throws InvalidDecisionRequest, InvalidDecision, ReviewRefused or ApplicationRefused.
 */
export async function decide(
  body: unknown,
  caller: VerifiedCaller,
  deps: DecisionDeps,
): Promise<DecisionSent> {
  const parsed = decisionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'} ${i.message}`);
    throw new InvalidDecisionRequest(`decision request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  const who = { decidedBy: caller.person, decidedByArn: caller.arn };
  if (request.kind === 'case') {
    const done = await submitDecision({ ...request, caller }, deps);
    return { kind: 'case', id: request.caseId, stage: done.stage, decision: done.decision, ...who };
  }
  const done = await decideApplication({ ...request, caller }, deps);
  return { kind: 'application', id: request.applicationId, ...done, ...who };
}

/** The HTTP answer to a decision request: what was sent, or the refusal with its reason. */
export async function answerDecisionRequest(
  body: unknown,
  caller: VerifiedCaller,
  deps: DecisionDeps,
): Promise<{ statusCode: number; body: DecisionSent | { error: string; kind: string } }> {
  try {
    return { statusCode: 200, body: await decide(body, caller, deps) };
  } catch (error) {
    const status = REFUSAL_STATUS[(error as Error).name];
    if (status === undefined) throw error;
    return { statusCode: status, body: { error: (error as Error).message, kind: (error as Error).name } };
  }
}

/** Errors that are an answer to the reviewer, not a fault of the function. */
const REFUSAL_STATUS: Record<string, number> = {
  InvalidDecisionRequest: 400,
  InvalidDecision: 400,
  ReviewRefused: 409,
  ApplicationRefused: 409,
  ReviewTaskGone: 410,
};
