import type { ReviewCallbacks } from '../../shared/cases/ports.ts';
import type { OnboardingCallbacks } from '../../shared/kyc/ports.ts';
import type { VerifiedCaller } from '../../shared/review/caller.ts';

/**
 * What the state-machine path tests share: the synthesized definition with its intrinsics resolved
 * (so the local interpreter can run it), and task tokens answered the way SendTaskSuccess does.
 */

/** Resolves the Fn::Join / Fn::GetAtt / Ref intrinsics CDK leaves in a DefinitionString. */
export function resolveJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(resolveJoin).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `arn:aws:lambda:us-east-1:123456789012:function:${getAtt[0]}`;
  const ref = (value as { Ref?: string }).Ref;
  if (ref === 'AWS::Partition') return 'aws';
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

/** Task tokens as Step Functions hands them out, answered by SendTaskSuccess. */
export class CallbackBroker implements ReviewCallbacks, OnboardingCallbacks {
  readonly #waiting = new Map<string, (output: unknown) => void>();
  wait(token: string): Promise<unknown> {
    return new Promise((resolve) => this.#waiting.set(token, resolve));
  }
  async succeed(token: string, output: unknown): Promise<void> {
    const resolve = this.#waiting.get(token);
    if (!resolve) throw new Error(`TaskDoesNotExist: no task is waiting for token ${token.slice(0, 8)}...`);
    this.#waiting.delete(token);
    resolve(output);
  }
}

/** A reviewer as the decision function verifies one: a session of the analyst or the executive role. */
export function reviewer(name: string, role: 'analyst' | 'executive' = 'executive'): VerifiedCaller {
  const roleName = role === 'executive' ? 'ExecutiveReviewerRole' : 'ReviewerRole';
  return {
    person: name,
    arn: `arn:aws:sts::111122223333:assumed-role/${roleName}/${name}`,
    executive: role === 'executive',
  };
}
