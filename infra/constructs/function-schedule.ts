import { Rule, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from './queue-with-dlq.ts';

export interface FunctionScheduleProps {
  fn: IFunction;
  schedule: Schedule;
  description: string;
  /** the messaging key: EventBridge may encrypt with it (infra/constructs/encryption-keys.ts) */
  key: IKey;
}

/**
 * A function run on an EventBridge schedule. A run EventBridge still cannot deliver after two retries
 * goes to a dead-letter queue of kind `schedule` naming the function, rather than being dropped:
 * Observability alarms on it, and `traceguard dlq redrive` invokes the function once, now, with a fresh
 * scheduled event (every scheduled function handles everything due up to its run's time, so one run
 * makes up for every missed one). The rule keeps the id `id`, its queue is `<id>Dlq`.
 */
export function scheduleFunction(scope: Construct, id: string, props: FunctionScheduleProps): Rule {
  const deadLetterQueue = new DeadLetterQueue(scope, `${id}Dlq`, {
    key: props.key,
    of: { kind: 'schedule', target: props.fn.functionArn, runs: 'function' },
  });
  return new Rule(scope, id, {
    description: props.description,
    schedule: props.schedule,
    targets: [new LambdaFunction(props.fn, { retryAttempts: 2, deadLetterQueue })],
  });
}
