import type { VerifiedCaller } from './caller.ts';

/**
 * Every review after the analyst's (a case's escalated review and a termination's approval, an
 * application's executive approval) is an executive's: the carrier says who is one in IAM, by who may
 * assume the executive reviewer role. Null when `caller` may take `stage`, else why not.
 */
export function executiveStepRefusal(stage: string, caller: VerifiedCaller, what: string): string | null {
  if (stage === 'analyst' || caller.executive) return null;
  return `${caller.person} is not an executive reviewer: the ${stage} review of ${what} takes a session of the executive reviewer role (called as ${caller.arn})`;
}
