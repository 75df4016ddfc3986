import { describe, expect, it } from 'vitest';
import { errorInFull } from '../../local/glue/error-chain.ts';
import { HandlerFailure, handlerFailureReasons } from '../../local/glue/handler-failure.ts';
import { fixtureLambda, fixtureRunner } from '../helpers/fixture-lambdas.ts';

/** A handler that runs out of time is logged as a timeout, whichever of middy or the sandbox ends it. */
const runner = fixtureRunner([
  fixtureLambda('MiddyHang', 'middy-hang', 'test/fixtures/local/handlers/middy-hang.ts', 2),
  fixtureLambda('Hang', 'hang', 'test/fixtures/local/handlers/hang.ts', 1),
]);

const failureOf = async (name: string) => {
  const error = await runner.invoke(name, {}).then(
    () => null,
    (e: unknown) => e,
  );
  return new HandlerFailure('start-case', [{ messageId: 'm1', keys: [] }], error);
};

describe('a handler that times out', () => {
  it('under middy is named a timeout on the terminal and in the log, its cause written out', async () => {
    const failure = await failureOf('middy-hang');
    expect(handlerFailureReasons(failure)).toEqual([
      "start-case on message m1: timed out after 2 s (the function's timeout)",
    ]);
    const logged = errorInFull(failure);
    expect(logged.split('\n')[0]).toBe(
      "start-case on message m1: TimeoutError: timed out after 2 s (the function's timeout)",
    );
    // middy's own error stays in the log, under it, with its cause as fields
    expect(logged).toMatch(/caused by: TimeoutError: \[AbortError\]: The operation was aborted\./);
    expect(logged).toContain("caused by: { package: '@middy/core' }");
    expect(logged).not.toContain('[object Object]');
  }, 10_000);

  it('the sandbox ended says it timed out after the function timeout', async () => {
    const failure = await failureOf('hang');
    expect(handlerFailureReasons(failure)).toEqual([
      "start-case on message m1: timed out after 1 s (the function's timeout)",
    ]);
  }, 10_000);
});

describe('the local runtime log', () => {
  it('writes a cause that is no Error as its fields, never [object Object]', () => {
    const logged = errorInFull(new Error('aborted', { cause: { package: '@middy/core', code: 7 } }));
    expect(logged).toMatch(/\n {2}caused by: \{ package: '@middy\/core', code: 7 \}$/);
  });
});
