import type { OnboardingSteps } from '../../shared/kyc/onboarding-steps.ts';
import { parseOnboardingStep } from '../../shared/kyc/step-input.ts';

/**
 * The onboarding-step Lambda body without its wiring: validates the task payload and runs the step.
 * Errors keep their names (OnboardingDecisionRefused, ApplicationNotFound, SDK throttling errors),
 * which the state machine's Retry and Catch rules match on.
 */
export function makeOnboardingStepHandler(steps: OnboardingSteps): (event: unknown) => Promise<unknown> {
  return async (event) => (await steps.run(parseOnboardingStep(event))) ?? {};
}
