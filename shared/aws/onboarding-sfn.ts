import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { OnboardingStarter } from '../kyc/ports.ts';

/** Starts the Onboarding state machine with execution name = application id: one workflow per application. */
export class SfnOnboardingStarter implements OnboardingStarter {
  readonly #sfn: SFNClient;
  readonly #arn: () => string;

  /** `arn` is resolved at the first start, so a CLI without a stack can still validate its input */
  constructor(sfn: SFNClient, arn: () => string) {
    this.#sfn = sfn;
    this.#arn = arn;
  }

  async start(applicationId: string): Promise<'started' | 'already'> {
    try {
      await this.#sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.#arn(),
          name: applicationId,
          input: JSON.stringify({ applicationId }),
        }),
      );
      return 'started';
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return 'already';
      throw error;
    }
  }
}
