import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { LocalClients } from '../../local/aws-clients.ts';
import { ActivityTracker } from '../../local/glue/activity.ts';
import { FailingMessages, failingLines } from '../../local/glue/failing-messages.ts';
import { HandlerFailure, handlerFailureReasons } from '../../local/glue/handler-failure.ts';
import { LambdaInvocationError } from '../../local/glue/lambda-runner.ts';
import { SqsEventSource } from '../../local/glue/sqs-event-source.ts';
import { objectCreatedMessage } from '../../shared/ingest/messages.ts';
import { fixtureLambda, fixtureRunner } from '../helpers/fixture-lambdas.ts';

/**
 * What `npm start` prints and logs when a handler fails or times out: the function, each message id
 * and, for a CDR batch, its object key, so a person knows what failed without reading the handler.
 */
// a fixture handler reached through functions/<folder>/ is named <folder>, as the real ones are (logNames)
const fn = (folder: string, fixture: string, timeoutSeconds: number) =>
  fixtureLambda(
    `Stateless${folder}Function0A1B2C3D`,
    `traceguard-${folder}`,
    `functions/${folder}/../../test/fixtures/local/handlers/${fixture}`,
    timeoutSeconds,
  );
const runner = fixtureRunner([
  fn('ingest', 'hang.ts', 1),
  fn('fail', 'fail-batch.ts', 30),
  fn('some', 'slow-batch.ts', 60),
]);

/** Polls one batch of `messages` into `functionName` and returns what reached onError. */
async function failuresOf(
  functionName: string,
  messages: Message[],
  failing?: FailingMessages,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  const sqs = { send: async () => ({ Messages: messages }) };
  const source = new SqsEventSource(
    {
      logicalId: 'Mapping',
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
      functionName,
      batchSize: 10,
      reportBatchItemFailures: true,
      enabled: true,
      maximumConcurrency: 1,
    },
    {
      clients: { sqs } as unknown as LocalClients,
      queueUrl: 'http://localhost/q',
      region: 'us-east-1',
      lambda: runner,
      activity: new ActivityTracker(),
      onError: (error) => errors.push(error),
      failing,
    },
  );
  await source.pollOnce();
  return errors;
}

const batch = objectCreatedMessage({
  bucket: 'cdr',
  key: 'cdr/sw 1/2026/11/27/16.csv.gz',
  size: 10,
  etag: 'e',
  versionId: null,
});

describe('a failing handler is named with its messages', () => {
  it('a timed-out ingest names the function, the message id and the batch key, on the terminal and in the log', async () => {
    const [error] = await failuresOf('traceguard-ingest', [
      { MessageId: 'm-1', Body: batch, ReceiptHandle: 'r' },
    ]);
    const where = 'ingest on message m-1 (cdr/sw 1/2026/11/27/16.csv.gz)';
    const line = `${where}: timed out after 1 s (the function's timeout)`;
    expect(handlerFailureReasons(error)).toEqual([line]);
    // local-runtime.log gets the stack, whose first line is the same
    expect((error as Error).stack?.split('\n')[0]).toBe(
      `${where}: Sandbox.Timedout: timed out after 1 s (the function's timeout)`,
    );
  });

  it("a batch whose every record failed names each record's reason with its own message", async () => {
    const errors = await failuresOf('traceguard-fail', [
      { MessageId: 'a', Body: 'first reason', ReceiptHandle: 'ra' },
      { MessageId: 'b', Body: batch, ReceiptHandle: 'rb' },
    ]);
    expect(handlerFailureReasons(errors[0])).toEqual([
      'fail on message a: Error: first reason',
      `fail on message b (cdr/sw 1/2026/11/27/16.csv.gz): Error: ${batch}`,
    ]);
  });

  it('a batch the handler returned with some records in batchItemFailures names those records, each with its own error', async () => {
    const failing = new FailingMessages();
    const errors = await failuresOf(
      'traceguard-some',
      [
        { MessageId: 'a', Body: 'fail:IdempotencyAlreadyInProgressError stand-in', ReceiptHandle: 'ra' },
        { MessageId: 'b', Body: 'fine', ReceiptHandle: 'rb' },
        { MessageId: 'c', Body: 'fail:second', ReceiptHandle: 'rc' },
      ],
      failing,
    );
    expect(errors.flatMap(handlerFailureReasons)).toEqual([
      'some on message a: Error: IdempotencyAlreadyInProgressError stand-in',
      'some on message c: Error: second',
    ]);
    expect(failing.groups()).toEqual([
      { functionName: 'some', kind: 'Error', messages: 2, timeoutSeconds: 60 },
    ]);
  });
});

describe('the report of messages waiting for a retry', () => {
  const failure = (fn: string, ids: string[], recordErrors: string[], cause?: Error) =>
    new HandlerFailure(
      fn,
      ids.map((messageId) => ({ messageId, keys: [] })),
      cause ?? new LambdaInvocationError('BatchItemFailures', 'x', undefined, recordErrors),
    );

  it('names each failing function once per error kind, with its count, until a later delivery deletes them', () => {
    const failing = new FailingMessages();
    const inProgress = 'IdempotencyAlreadyInProgressError: There is already an execution in progress';
    failing.failed(failure('notify-oncall', ['n1', 'n2', 'n3'], [inProgress, inProgress, inProgress]), 60);
    failing.failed(failure('write-audit', ['w1', 'w2'], [inProgress, 'InternalServerError: boom']), 60);
    failing.failed(
      failure('ingest', ['i1'], [], new LambdaInvocationError('Sandbox.Timedout', 'Task timed out')),
      900,
    );
    failing.deleted(['n3']);
    const lines = failingLines(failing.groups(), 6);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^notify-oncall: 2 message\(s\) failed with IdempotencyAlreadyInProgressError: expected after a crash .*\(the function's timeout, 60 s\)/,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^write-audit: 1 message\(s\) failed with IdempotencyAlreadyInProgressError: expected/,
      ),
      'write-audit: 1 message(s) failed with InternalServerError',
      'ingest: 1 message(s) failed with Sandbox.Timedout',
      '1 message(s) in flight with no failure seen by this run (delivered before this start)',
    ]);
  });
});
