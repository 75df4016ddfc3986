import { parseStepInput } from '../../shared/cases/step-input.ts';
import type { CaseSteps } from '../../shared/cases/steps.ts';

/**
 * The case-step Lambda body without its wiring: validates the task payload and runs the step.
 * Errors keep their names (CaseNotFound, DecisionRefused, InvalidStepInput, SDK throttling errors),
 * which the state machine's Retry and Catch rules match on.
 */
export function makeCaseStepHandler(steps: CaseSteps): (event: unknown) => Promise<unknown> {
  return async (event) => {
    const input = parseStepInput(event);
    const result = await steps.run(input);
    return result ?? {};
  };
}
