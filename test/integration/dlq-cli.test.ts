import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { containsPhoneNumber } from '../../shared/privacy/mask-numbers.ts';
import { traceguard } from './helpers/cli.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * `traceguard dlq list | redrive` against the local stack: what sits in a dead-letter queue is shown
 * by id and subject without phone numbers, and a redrive hands it back to the queue it came from.
 */
let t: TestStack;
const cli = (...args: string[]) => traceguard(t.stack, t.work, args);
const depth = async (url: string) => {
  const { Attributes = {} } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
};

beforeAll(async () => {
  t = await startTestStack({ prefix: 'dlq-cli', template: await synthesizeTemplate(repoRoot) });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('traceguard dlq', () => {
  it('lists each dead-letter queue with its messages by id and subject, no phone numbers', async () => {
    const alertDlq = t.resource('AWS::SQS::Queue', 'AlertQueueDlq');
    const finding = JSON.stringify({
      customer_id: 'C042',
      severity: 'high',
      example_calls: [{ calling_number: '+12025550143' }],
    });
    const sent = await t.sqs.send(
      new SendMessageCommand({
        QueueUrl: alertDlq.url,
        MessageBody: finding,
        MessageAttributes: { type: { DataType: 'String', StringValue: 'finding' } },
      }),
    );
    const listed = await cli('dlq', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${alertDlq.name} \\(from [^)]*AlertQueue[^)]*\\): 1 message\\(s\\)$`, 'm'),
    );
    expect(listed.stdout).toContain(`${sent.MessageId}  sent `);
    expect(listed.stdout).toContain('type finding, severity high, customer C042');
    expect(containsPhoneNumber(listed.stdout)).toBe(false);
    // listing only peeks: the message is still there, visible
    expect(await depth(String(alertDlq.url))).toBe(1);
  });

  it('redrives a dead-letter queue back to its source queue, where it is consumed', async () => {
    const ingestDlq = t.resource('AWS::SQS::Queue', 'IngestQueueDlq');
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: ingestDlq.url, MessageBody: '{"Event":"s3:TestEvent"}' }),
    );
    const json = JSON.parse((await cli('dlq', 'list', '--json')).stdout) as Array<{
      queue: string;
      depth: number;
    }>;
    expect(json.find((q) => q.queue === ingestDlq.name)?.depth).toBe(1);

    // the part of the name a person knows is enough when it names one queue; --prefix looks at the
    // queues under it only (the stack's, in an account with other queues)
    const stackPrefix = String(ingestDlq.name).slice(0, String(ingestDlq.name).indexOf('IngestQueue'));
    expect(stackPrefix).not.toBe('');
    const elsewhere = await cli('dlq', 'redrive', '--prefix', 'NoSuchStack', 'IngestQueue');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/no dead-letter queue named IngestQueue .*; known: none/);
    const redriven = await cli('dlq', 'redrive', '--prefix', stackPrefix, 'IngestQueue');
    expect(redriven).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^1 message\(s\) moved from .* back to .*IngestQueue/),
    });
    await t.stack.waitForIdle({ timeoutMs: 30_000 });
    expect(await depth(String(ingestDlq.url))).toBe(0);
    expect(await depth(t.stack.outputs.IngestQueueUrl)).toBe(0);

    const ambiguous = await cli('dlq', 'redrive', 'Queue');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/Queue matches .*; give the full name/);
    const unknown = await cli('dlq', 'redrive', 'NoSuchQueue');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no dead-letter queue named NoSuchQueue/);
  });
});
