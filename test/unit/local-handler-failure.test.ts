import { describe, expect, it } from 'vitest';
import { errorInFull } from '../../local/glue/error-chain.ts';
import { HandlerFailure } from '../../local/glue/handler-failure.ts';
import { failureReasons } from '../../local/glue/lambda-runner.ts';
import { asRetryable } from '../../shared/aws/aggregate-store.ts';
import { fixtureLambda, fixtureRunner } from '../helpers/fixture-lambdas.ts';

/** What `npm start` prints when a handler fails: each failed record's reason, whole. */
const runner = fixtureRunner([
  fixtureLambda('FailWithCause', 'fail-with-cause', 'test/fixtures/local/handlers/fail-with-cause.ts'),
  fixtureLambda('FailBatch', 'fail-batch', 'test/fixtures/local/handlers/fail-batch.ts'),
]);

const record = (messageId: string, body: string) => ({
  messageId,
  body,
  receiptHandle: messageId,
  attributes: { ApproximateReceiveCount: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});

describe('a handler that fails its whole batch', () => {
  it('is named by each record\'s reason in full, not by "All records failed processing"', async () => {
    const long = `s3://cdr/cdr/sw-1/a.csv: line 1: header lacks required column(s) called_number [switch 'sw-1' has no entry in the switch configuration (format auto, no time zone); ${'x'.repeat(300)} see docs/switch-config.md, traceguard switches import]`;
    const error = await runner
      .invoke('fail-batch', { Records: [record('m1', long), record('m2', 'second\nreason')] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failureReasons(error)).toEqual([`Error: ${long}`, 'Error: second reason']);
  });

  it('any other error is its message, on one line', () => {
    expect(failureReasons(new Error('socket hang up\n  at somewhere'))).toEqual([
      'socket hang up at somewhere',
    ]);
  });
});

describe('the local runtime log of a failed handler', () => {
  it("holds each failed record's error with its cause, once, under the function and messages", async () => {
    const error = await runner
      .invoke('fail-with-cause', { Records: [record('m1', 'first'), record('m2', 'second')] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    const logged = errorInFull(new HandlerFailure('ingest', [{ messageId: 'm1', keys: [] }], error));
    expect(logged.split('\n')[0]).toMatch(/^ingest on message m1: /);
    for (const body of ['first', 'second']) {
      const cause = `caused by: InternalServerError: internal error (${body})`;
      expect(logged).toContain(cause);
      expect(logged.split(cause)).toHaveLength(2);
    }
    expect(logged).toMatch(/record 1 of 2: Error: day review notes of customers: InternalServerError\n/);
  });

  it('follows causes and AggregateError errors to any depth, and stops at a cycle', () => {
    const root = new Error('socket hang up');
    const wrapped = new Error('read H#2026', { cause: root });
    const looped = new Error('looped');
    (looped as { cause?: unknown }).cause = looped;
    const logged = errorInFull(new AggregateError([wrapped, looped, 'a string'], 'two failed'));
    expect(logged).toMatch(/^AggregateError: two failed\n/);
    expect(logged).toMatch(/\n {2}error 1 of 3: Error: read H#2026\n/);
    expect(logged).toMatch(/\n {4}caused by: Error: socket hang up\n/);
    expect(logged).toMatch(/\n {2}error 2 of 3: Error: looped\n/);
    expect(logged).toMatch(/\n {2}error 3 of 3: a string$/);
  });

  it('a store error that stands for a DynamoDB error carries it as its cause', () => {
    const service = Object.assign(new Error('We encountered an internal error'), {
      name: 'InternalServerError',
    });
    const retryable = asRetryable(service, 'day review notes of customers') as Error;
    expect(retryable.message).toBe('day review notes of customers: InternalServerError');
    expect(retryable.cause).toBe(service);
  });
});
