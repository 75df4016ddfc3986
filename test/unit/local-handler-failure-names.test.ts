import { join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalClients } from '../../local/aws-clients.ts';
import { ActivityTracker } from '../../local/glue/activity.ts';
import { handlerFailureReasons } from '../../local/glue/handler-failure.ts';
import { LambdaRunner } from '../../local/glue/lambda-runner.ts';
import { SqsEventSource } from '../../local/glue/sqs-event-source.ts';
import { objectCreatedMessage } from '../../shared/ingest/messages.ts';

/**
 * What `npm start` prints and logs when a handler fails or times out: the function, each message id
 * and, for a CDR batch, its object key, so a person knows what failed without reading the handler.
 */
// a fixture handler reached through functions/<folder>/ is named <folder>, as the real ones are (logNames)
const fn = (folder: string, fixture: string, timeoutSeconds: number) => ({
  logicalId: `Stateless${folder}Function0A1B2C3D`,
  name: `traceguard-${folder}`,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:traceguard-${folder}`,
  entry: `functions/${folder}/../../test/fixtures/local/handlers/${fixture}`,
  handlerExport: 'handler',
  environment: {},
  timeoutSeconds,
});
const runner = new LambdaRunner({
  functions: [fn('ingest', 'hang.ts', 1), fn('fail', 'fail-batch.ts', 30)],
  repoRoot: join(import.meta.dirname, '..', '..'),
  baseEnv: { POWERTOOLS_DEV: 'true' },
  activity: new ActivityTracker(),
});
afterAll(() => runner.stop());

/** Polls one batch of `messages` into `functionName` and returns what reached onError. */
async function failuresOf(functionName: string, messages: Message[]): Promise<unknown[]> {
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
    const line = 'ingest on message m-1 (cdr/sw 1/2026/11/27/16.csv.gz): Task timed out after 1 seconds';
    expect(handlerFailureReasons(error)).toEqual([line]);
    // local-runtime.log gets the stack, whose first line is the same
    expect((error as Error).stack?.split('\n')[0]).toBe(
      `${line.replace(': Task', ': Sandbox.Timedout: Task')}`,
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
});
