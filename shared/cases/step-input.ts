import { z } from 'zod';

/**
 * The payload each Lambda task of the escalation state machine sends to the case-step function.
 * Step names are fixed in docs/wiring.md.
 */
const caseId = z.string().min(1).max(80);

export const stepInputSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('gatherEvidence'), caseId }),
  z.object({ step: z.literal('suspend'), caseId }),
  z.object({
    step: z.literal('notify'),
    caseId,
    kind: z.enum(['opened', 'reviewOverdue', 'decisionRefused']),
  }),
  z.object({
    step: z.literal('recordReviewToken'),
    caseId,
    stage: z.enum(['analyst', 'escalated', 'executive']),
    token: z.string().min(1),
  }),
  z.object({ step: z.literal('recordAudit'), caseId, decision: z.unknown() }),
  z.object({ step: z.literal('enforce'), caseId }),
  z.object({ step: z.literal('reinstate'), caseId }),
  z.object({ step: z.literal('close'), caseId }),
  z.object({
    step: z.literal('alertFailure'),
    caseId,
    failure: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  }),
]);
export type StepInput = z.infer<typeof stepInputSchema>;
export type StepName = StepInput['step'];

export function parseStepInput(event: unknown): StepInput {
  const parsed = stepInputSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
  throw new InvalidStepInput(`case-step event: ${issues}`);
}

export class InvalidStepInput extends Error {
  override name = 'InvalidStepInput';
}
