import type { ScheduleTargetRunner } from '../shared/dead-letters/rerun-schedule.ts';

/** the service an ARN belongs to: `states`, `lambda`, ... */
const serviceOf = (arn: string) => arn.split(':')[2] ?? '';

/**
 * Runs a schedule's target as its schedule would: a state machine is started without input (Scheduler
 * starts the audit export so), a function invoked with the scheduled event and waited for, so a run
 * that fails leaves its dead letters in place. AWS calls stay here, behind the port.
 */
export function awsScheduleTargetRunner(): ScheduleTargetRunner {
  return {
    async run(target, event) {
      if (serviceOf(target) === 'states') {
        const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
        const out = await new SFNClient({}).send(new StartExecutionCommand({ stateMachineArn: target }));
        return `execution ${out.executionArn}`;
      }
      if (serviceOf(target) === 'lambda') return invokeOnce(target, event);
      throw new Error(`${target} is neither a state machine nor a function`);
    },
  };
}

async function invokeOnce(functionArn: string, event: unknown): Promise<string> {
  const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  // a scheduled function may run up to Lambda's 15 minutes: the response is waited for that long
  const lambda = new LambdaClient({ requestHandler: { requestTimeout: 16 * 60_000 } });
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  if (out.FunctionError) {
    const payload = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    let reason = payload;
    try {
      const error = JSON.parse(payload) as { errorType?: string; errorMessage?: string };
      reason = [error.errorType, error.errorMessage].filter(Boolean).join(': ') || payload;
    } catch {
      // not JSON: the payload as it came
    }
    throw new Error(`the function failed: ${reason || out.FunctionError}`);
  }
  return `request ${out.$metadata.requestId ?? 'without id'}`;
}
