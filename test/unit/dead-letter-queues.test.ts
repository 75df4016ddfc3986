import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { deadLetterQueues } from '../../shared/aws/dead-letter-queues.ts';

/**
 * In an account with other queues, a policy scoped to this stack's queues may list every queue but
 * read the attributes of its own only: the dlq commands skip the others and say which, rather than
 * stop at the first AccessDenied.
 */
const url = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

function fakeSqs(queues: Record<string, { redriveTo?: string; depth?: number; closed?: boolean }>) {
  const listed: Array<string | undefined> = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const { input } = command;
    if (command.constructor.name === 'ListQueuesCommand') {
      const prefix = input.QueueNamePrefix as string | undefined;
      listed.push(prefix);
      return {
        QueueUrls: Object.keys(queues)
          .filter((n) => n.startsWith(prefix ?? ''))
          .map(url),
      };
    }
    if (command.constructor.name === 'GetQueueAttributesCommand') {
      const name = String(input.QueueUrl).split('/').pop() as string;
      const queue = queues[name];
      if (queue.closed)
        throw Object.assign(new Error('not authorized to perform: sqs:getqueueattributes'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      return {
        Attributes: {
          ...(queue.redriveTo
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: arn(queue.redriveTo),
                  maxReceiveCount: 5,
                }),
              }
            : {}),
          ApproximateNumberOfMessages: String(queue.depth ?? 0),
          ApproximateNumberOfMessagesNotVisible: '0',
        },
      };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  };
  return { sqs: { send } as unknown as SQSClient, listed };
}

describe('deadLetterQueues', () => {
  const account = {
    'Traceguard-prod-IngestQueue': { redriveTo: 'Traceguard-prod-IngestQueueDlq' },
    'Traceguard-prod-IngestQueueDlq': { depth: 2 },
    'billing-jobs': { closed: true },
    'billing-jobs-dlq': { closed: true },
  };

  it('skips the queues the caller may not read, naming them, and finds its own', async () => {
    const { sqs } = fakeSqs(account);
    const skipped: string[] = [];
    const queues = await deadLetterQueues(sqs, undefined, (name) => skipped.push(name));
    expect(queues.map((q) => [q.name, q.sources.map((s) => s.name), q.depth])).toEqual([
      ['Traceguard-prod-IngestQueueDlq', ['Traceguard-prod-IngestQueue'], 2],
    ]);
    expect(skipped).toEqual(['billing-jobs', 'billing-jobs-dlq']);
  });

  it('leaves out a dead-letter queue whose depth it may not read', async () => {
    const { sqs } = fakeSqs({
      'Traceguard-prod-AlertQueue': { redriveTo: 'shared-dlq' },
      'shared-dlq': { closed: true },
    });
    const skipped: string[] = [];
    expect(await deadLetterQueues(sqs, undefined, (name) => skipped.push(name))).toEqual([]);
    expect(skipped).toEqual(['shared-dlq']);
  });

  it('lists only the queues under the prefix', async () => {
    const { sqs, listed } = fakeSqs(account);
    const skipped: string[] = [];
    const queues = await deadLetterQueues(sqs, 'Traceguard-prod', (name) => skipped.push(name));
    expect(listed).toEqual(['Traceguard-prod']);
    expect(queues.map((q) => q.name)).toEqual(['Traceguard-prod-IngestQueueDlq']);
    expect(skipped).toEqual([]);
  });

  it('still stops on any other error', async () => {
    const { sqs } = fakeSqs(account);
    const failing = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'GetQueueAttributesCommand') throw new Error('throttled');
        return sqs.send(command as never);
      },
    } as unknown as SQSClient;
    await expect(deadLetterQueues(failing)).rejects.toThrow('throttled');
  });
});
