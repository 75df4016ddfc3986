import { describe, expect, it } from 'vitest';
import { fixtureLambda, fixtureRunner } from '../helpers/fixture-lambdas.ts';

/**
 * Lambda runs each concurrent invocation of a function in its own execution environment; the local
 * runner must too: our handlers keep a BatchProcessor (and a logger, metrics) per module, which two
 * invocations in one module would share.
 */
const runner = fixtureRunner([
  fixtureLambda('SlowBatch', 'slow-batch', 'test/fixtures/local/handlers/slow-batch.ts'),
]);

const record = (messageId: string, body: string, waitMs: number) => ({
  messageId,
  body,
  receiptHandle: messageId,
  attributes: { ApproximateReceiveCount: '1' },
  messageAttributes: { wait: { stringValue: String(waitMs), dataType: 'Number' } },
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});

const settle = (promise: Promise<unknown>) =>
  promise.then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('two invocations of one function at once', () => {
  it("each gets its own outcome: a good batch never carries the failing one's error", async () => {
    // the failing batch starts first and fails while the good one is still running
    const failing = settle(
      runner.invoke('slow-batch', {
        Records: [record('bad', 'fail:s3://cdr/cdr/sbc-east-1/garbage.csv', 50)],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const good = settle(runner.invoke('slow-batch', { Records: [record('good', 'ok', 200)] }));
    const [bad, fine] = await Promise.all([failing, good]);
    expect(fine).toEqual({ ok: true, result: { batchItemFailures: [] } });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : String(bad.error)).toContain('garbage.csv');
  });

  it('a partial failure lists only its own record', async () => {
    const [mixed, good] = await Promise.all([
      settle(
        runner.invoke('slow-batch', {
          Records: [record('m1', 'fail:first', 30), record('m2', 'ok', 30)],
        }),
      ),
      settle(runner.invoke('slow-batch', { Records: [record('m3', 'ok', 150)] })),
    ]);
    expect(mixed).toEqual({ ok: true, result: { batchItemFailures: [{ itemIdentifier: 'm1' }] } });
    expect(good).toEqual({ ok: true, result: { batchItemFailures: [] } });
  });
});
