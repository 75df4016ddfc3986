import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionStarter, ReviewCallbacks } from '../cases/ports.ts';

/** Starts the escalation state machine with execution name = case id. */
export class SfnExecutionStarter implements ExecutionStarter {
  readonly #sfn: SFNClient;
  readonly #stateMachineArn: string;

  constructor(sfn: SFNClient, stateMachineArn: string) {
    this.#sfn = sfn;
    this.#stateMachineArn = stateMachineArn;
  }

  async start(caseId: string, input: { caseId: string; customerId: string }): Promise<'started' | 'already'> {
    try {
      await this.#sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: caseId,
          input: JSON.stringify(input),
        }),
      );
      return 'started';
    } catch (error) {
      // a redelivered message: the execution for this case already runs (or ran)
      if ((error as Error).name === 'ExecutionAlreadyExists') return 'already';
      throw error;
    }
  }
}

/** The review task a stored token belongs to is no longer waiting: nothing to answer. */
export class ReviewTaskGone extends Error {
  override name = 'ReviewTaskGone';
}

/** Answers a parked review task with the reviewer's decision. */
export class SfnReviewCallbacks implements ReviewCallbacks {
  readonly #sfn: SFNClient;

  constructor(sfn: SFNClient) {
    this.#sfn = sfn;
  }

  async succeed(token: string, output: unknown): Promise<void> {
    try {
      await this.#sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name === 'InvalidToken' || name === 'TaskDoesNotExist' || name === 'TaskTimedOut') {
        // the token is stored, but its execution is gone: it timed out, was stopped, or (local stack)
        // did not survive a restart, since local executions are not resumed
        throw new ReviewTaskGone(
          `the review task of this case is no longer waiting (${name}): its execution ended or timed out; on the local stack, executions do not survive a restart (npm start -- --fresh starts over)`,
        );
      }
      throw error;
    }
  }
}
