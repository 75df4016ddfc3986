import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeDeadLetter } from '../dead-letters/describe.ts';

/**
 * Dead-letter queues as SQS defines them: a queue named as `deadLetterTargetArn` in another queue's
 * RedrivePolicy. Listing peeks (every message received, then made visible again at once); a redrive
 * sends each message back to its source queue with its attributes and deletes it from the DLQ, so a
 * message is never lost between the two (at worst it is delivered twice, which every consumer
 * tolerates).
 */
export interface DeadLetterQueue {
  name: string;
  url: string;
  /** the queues whose failed messages land here */
  sources: Array<{ name: string; url: string }>;
  depth: number;
}

export interface DeadLetter {
  messageId: string;
  receiveCount: number;
  sentAt: string;
  about: string;
}

const nameOf = (urlOrArn: string) =>
  urlOrArn.slice(Math.max(urlOrArn.lastIndexOf('/'), urlOrArn.lastIndexOf(':')) + 1);

/**
 * An account's other queues may be closed to whoever runs the command (a policy scoped to this
 * stack's queues): such a queue is left out and named to `skipped`, rather than ending the listing.
 */
function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'AccessDenied' || e.name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403
  );
}

export async function deadLetterQueues(
  sqs: SQSClient,
  prefix?: string,
  skipped: (queueName: string) => void = () => {},
): Promise<DeadLetterQueue[]> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const out = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: token, MaxResults: 1000 }),
    );
    urls.push(...(out.QueueUrls ?? []));
    token = out.NextToken;
  } while (token);
  /** the queue's attributes, or null (and named to `skipped`, once) when this caller may not read them */
  const denied = new Set<string>();
  const attributesOf = async (url: string, names: QueueAttributeName[]) => {
    if (denied.has(url)) return null;
    try {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
      );
      return Attributes;
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      denied.add(url);
      skipped(nameOf(url));
      return null;
    }
  };
  const byName = new Map<string, DeadLetterQueue>();
  for (const url of urls) {
    const attributes = await attributesOf(url, ['RedrivePolicy']);
    if (!attributes?.RedrivePolicy) continue;
    const target = nameOf(String(JSON.parse(attributes.RedrivePolicy).deadLetterTargetArn ?? ''));
    const dlqUrl = urls.find((u) => nameOf(u) === target);
    if (!dlqUrl) continue;
    const entry = byName.get(target) ?? { name: target, url: dlqUrl, sources: [], depth: 0 };
    entry.sources.push({ name: nameOf(url), url });
    byName.set(target, entry);
  }
  for (const dlq of byName.values()) {
    const attributes = await attributesOf(dlq.url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]);
    if (!attributes) {
      byName.delete(dlq.name);
      continue;
    }
    dlq.depth =
      Number(attributes.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Up to `max` messages of a DLQ, described without phone numbers; they stay in the queue. */
export async function peekDeadLetters(
  sqs: SQSClient,
  dlq: DeadLetterQueue,
  max = 100,
): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  const handles: Array<{ Id: string; ReceiptHandle: string }> = [];
  try {
    while (seen.size < max) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        handles.push({ Id: String(handles.length), ReceiptHandle: String(m.ReceiptHandle) });
        const attributes = Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.StringValue ?? '')]),
        );
        seen.set(String(m.MessageId), {
          messageId: String(m.MessageId),
          // the count includes this peek
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1) - 1,
          sentAt: new Date(Number(m.Attributes?.SentTimestamp ?? 0)).toISOString(),
          about: describeDeadLetter(String(m.Body ?? ''), attributes),
        });
      }
    }
  } finally {
    for (let i = 0; i < handles.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: dlq.url,
          Entries: handles.slice(i, i + 10).map((h) => ({ ...h, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
  return [...seen.values()];
}

/** Moves every message of a DLQ back to its (single) source queue; returns how many moved. */
export async function redriveDeadLetters(sqs: SQSClient, dlq: DeadLetterQueue): Promise<number> {
  if (dlq.sources.length !== 1)
    throw new Error(
      `${dlq.name} receives from ${dlq.sources.length} queues; cannot tell where each message came from`,
    );
  const [source] = dlq.sources;
  let moved = 0;
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const m of messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: source.url,
          MessageBody: m.Body,
          MessageAttributes: m.MessageAttributes,
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: m.ReceiptHandle }));
      moved++;
    }
  }
}
