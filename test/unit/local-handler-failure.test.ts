import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActivityTracker } from '../../local/glue/activity.ts';
import { failureReasons, LambdaRunner } from '../../local/glue/lambda-runner.ts';

/** What `npm start` prints when a handler fails: each failed record's reason, whole. */
const runner = new LambdaRunner({
  functions: [
    {
      logicalId: 'FailBatch',
      name: 'fail-batch',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:fail-batch',
      entry: 'test/fixtures/local/handlers/fail-batch.ts',
      handlerExport: 'handler',
      environment: {},
      timeoutSeconds: 30,
    },
  ],
  repoRoot: join(import.meta.dirname, '..', '..'),
  baseEnv: { POWERTOOLS_DEV: 'true' },
  activity: new ActivityTracker(),
});
afterAll(() => runner.stop());

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
