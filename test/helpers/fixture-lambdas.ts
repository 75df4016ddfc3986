import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ActivityTracker } from '../../local/glue/activity.ts';
import { LambdaRunner } from '../../local/glue/lambda-runner.ts';
import type { LocalFunctionSpec } from '../../local/template/wiring.ts';

/** A function of the local runner whose handler is a test fixture (test/fixtures/local/handlers/). */
export function fixtureLambda(
  logicalId: string,
  name: string,
  entry: string,
  timeoutSeconds = 30,
  memorySizeMb = 512,
): LocalFunctionSpec {
  return {
    logicalId,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    entry,
    handlerExport: 'handler',
    environment: {},
    timeoutSeconds,
    memorySizeMb,
  };
}

/** The local runner over `functions`, as `npm start` builds it, stopped after the test file. */
export function fixtureRunner(functions: LocalFunctionSpec[]): LambdaRunner {
  const runner = new LambdaRunner({
    functions,
    repoRoot: join(import.meta.dirname, '..', '..'),
    baseEnv: { POWERTOOLS_DEV: 'true' },
    activity: new ActivityTracker(),
  });
  afterAll(() => runner.stop());
  return runner;
}
