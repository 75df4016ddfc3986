import type { CliTarget } from '../shared/aws/cases-endpoints.ts';
import type { DecisionSent } from '../shared/review/decision-request.ts';
import { identity } from './cases.ts';
import { UsageError } from './errors.ts';

/** Errors that are the reviewer's to fix (a refusal, a bad decision): printed as usage errors, exit 2. */
const REFUSALS = new Set([
  'InvalidDecisionRequest',
  'InvalidDecision',
  'ReviewRefused',
  'ApplicationRefused',
  'ReviewTaskGone',
  'DecisionRefusedRemotely',
]);

/**
 * `cases decide` and `customers decide`. Against AWS the decision is a SigV4-signed request to the
 * decision function URL (`DECISIONS_URL`), which records it under the identity IAM verified. The
 * local stack has no IAM: there `--as NAME` stands for the person (a session of the executive
 * reviewer role) and the same decision code runs here, against the local tables and state machines.
 */
export async function sendReviewDecision(
  target: CliTarget,
  as: string | undefined,
  request:
    | { kind: 'case'; caseId: string; decision: string; reason: string }
    | {
        kind: 'application';
        applicationId: string;
        decision: string;
        reason: string;
      },
): Promise<DecisionSent> {
  try {
    if (!target.local) {
      if (as) throw new UsageError('--as is only for the local stack; in AWS your AWS identity is recorded');
      const { sendDecision } = await import('../shared/aws/decisions-client.ts');
      return await sendDecision(target.require('DECISIONS_URL'), request);
    }
    const caller = (await import('../shared/review/caller.ts')).standInCaller(await identity(true, as));
    const { decide } = await import('../shared/review/decision-request.ts');
    return await decide(request, caller, await localDeps(target, request.kind));
  } catch (error) {
    if (REFUSALS.has((error as Error).name)) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** The stores the decision function uses, on the local stack's tables. */
async function localDeps(target: CliTarget, kind: 'case' | 'application') {
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
  const { DynamoDossierStore } = await import('../shared/aws/onboarding-store.ts');
  const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
  const { SfnReviewCallbacks } = await import('../shared/aws/cases-sfn.ts');
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const doc = documentClient();
  const tokens = target.require('REVIEW_TOKENS_TABLE');
  // only the store of the decided kind is used; the other needs no table of its own
  const cases = kind === 'case' ? target.require('CASES_TABLE') : (target.optional('CASES_TABLE') ?? tokens);
  const dossiers =
    kind === 'application' ? target.require('DOSSIERS_TABLE') : (target.optional('DOSSIERS_TABLE') ?? tokens);
  return {
    cases: new DynamoCaseStore(doc, cases, tokens),
    dossiers: new DynamoDossierStore(doc, dossiers, tokens),
    audit: new DynamoAuditStore(doc, target.require('AUDIT_TABLE')),
    callbacks: new SfnReviewCallbacks(new SFNClient({})),
  };
}
