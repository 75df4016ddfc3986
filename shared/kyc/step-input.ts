import { z } from 'zod';

/** The payload each Lambda task of the onboarding state machine sends to the onboarding-step function. */
const applicationId = z.string().min(1).max(80);

export const onboardingStepSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('check'), applicationId }),
  z.object({
    step: z.literal('recordReviewToken'),
    applicationId,
    stage: z.enum(['analyst', 'executive']),
    token: z.string().min(1),
  }),
  z.object({ step: z.literal('recordDecision'), applicationId, decision: z.unknown() }),
  z.object({ step: z.literal('activate'), applicationId }),
  z.object({
    step: z.literal('refuse'),
    applicationId,
    timedOut: z.enum(['analyst', 'executive']).optional(),
    /** the customer is terminated (or suspended since the checks): refused without a reviewer */
    barred: z.boolean().optional(),
  }),
  z.object({
    step: z.literal('alertFailure'),
    applicationId,
    failure: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  }),
]);
export type OnboardingStepInput = z.infer<typeof onboardingStepSchema>;

export class InvalidOnboardingStep extends Error {
  override name = 'InvalidOnboardingStep';
}

export function parseOnboardingStep(event: unknown): OnboardingStepInput {
  const parsed = onboardingStepSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
  throw new InvalidOnboardingStep(`onboarding-step event: ${issues}`);
}
