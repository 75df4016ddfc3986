import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeDeadLetter } from '../dead-letters/describe.ts';
import {
  DEAD_LETTER_KIND_TAG,
  type DeadLetterKind,
  isDeadLetterKind,
  REDRIVE_TARGET_TAG,
} from '../dead-letters/kinds.ts';
import type { HeldDeadLetters, ScheduleDeadLetters } from '../dead-letters/rerun-schedule.ts';

/**
 * Dead-letter queues: a queue named as `deadLetterTargetArn` in another queue's RedrivePolicy (a work
 * queue's), or one whose tags declare it the dead-letter queue of an SNS subscription or a schedule
 * (shared/dead-letters/kinds.ts: their redrive policy is on the subscription or schedule, where a
 * queue listing cannot see it). Listing peeks (every message received, then made visible again at
 * once); a redrive sends each message back to the queue it was for with its attributes and deletes
 * it from the DLQ, so a message is never lost between the two (at worst it is delivered twice, which
 * every consumer tolerates).
 */
export interface DeadLetterQueue {
  name: string;
  url: string;
  kind: DeadLetterKind;
  /**
   * the queues its messages were for, where a redrive sends them: the work queues whose failed
   * messages land here, or the queue an SNS subscription could not deliver to
   */
  sources: Array<{ name: string; url: string }>;
  /** the ARN its tags name as the redrive's target (a subscription's queue, a schedule's state machine or function) */
  target: string | null;
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
  /** what `read` gives for the queue, or null (named to `skipped`, once) when this caller may not read it */
  const readable = async <T>(url: string, read: () => Promise<T>): Promise<T | null> => {
    if (denied.has(url)) return null;
    try {
      return await read();
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      denied.add(url);
      skipped(nameOf(url));
      return null;
    }
  };
  const attributesOf = (url: string, names: QueueAttributeName[]) =>
    readable(
      url,
      async () =>
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names })))
          .Attributes ?? {},
    );
  const tagsOf = (url: string) =>
    readable(url, async () => (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {});
  const byName = new Map<string, DeadLetterQueue>();
  const workQueues = new Set<string>();
  for (const url of urls) {
    const attributes = await attributesOf(url, ['RedrivePolicy']);
    if (!attributes?.RedrivePolicy) continue;
    workQueues.add(url);
    const target = nameOf(String(JSON.parse(attributes.RedrivePolicy).deadLetterTargetArn ?? ''));
    const dlqUrl = urls.find((u) => nameOf(u) === target);
    if (!dlqUrl) continue;
    const entry = byName.get(target) ?? {
      name: target,
      url: dlqUrl,
      kind: 'work-queue' as const,
      sources: [],
      target: null,
      depth: 0,
    };
    entry.sources.push({ name: nameOf(url), url });
    byName.set(target, entry);
  }
  // the others are found by their tags; a work queue or a DLQ already found needs no look
  for (const url of urls) {
    if (workQueues.has(url) || byName.has(nameOf(url)) || denied.has(url)) continue;
    const tags = await tagsOf(url);
    const kind = tags?.[DEAD_LETTER_KIND_TAG];
    if (!tags || !isDeadLetterKind(kind)) continue;
    const target = tags[REDRIVE_TARGET_TAG] ?? null;
    // a subscription's queue, when the listing holds it, is where its undelivered messages go back
    const targetQueue = target?.startsWith('arn:aws:sqs:')
      ? urls.find((u) => nameOf(u) === nameOf(target))
      : undefined;
    byName.set(nameOf(url), {
      name: nameOf(url),
      url,
      kind,
      sources: targetQueue ? [{ name: nameOf(targetQueue), url: targetQueue }] : [],
      target,
      depth: 0,
    });
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

/** Every message of a DLQ received and kept invisible for `seconds`: what a redrive then acts on. */
async function receiveAll(sqs: SQSClient, dlq: DeadLetterQueue, seconds: number) {
  const received: Array<{ body: string; receiptHandle: string }> = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: seconds,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return received;
    for (const m of messages)
      received.push({ body: String(m.Body ?? ''), receiptHandle: String(m.ReceiptHandle) });
  }
}

/**
 * A schedule's dead-letter queue as the redrive of its missed runs uses it
 * (shared/dead-letters/rerun-schedule.ts): every message held, then deleted or made visible again.
 */
export function scheduleDeadLetters(sqs: SQSClient, dlq: DeadLetterQueue): ScheduleDeadLetters {
  if (dlq.kind !== 'schedule' || !dlq.target)
    throw new Error(`${dlq.name} is no schedule's dead-letter queue naming the target to run`);
  return {
    async hold(seconds): Promise<HeldDeadLetters> {
      const held = await receiveAll(sqs, dlq, seconds);
      return {
        bodies: held.map((m) => m.body),
        async delete() {
          for (const m of held)
            await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: m.receiptHandle }));
        },
        async release() {
          for (let i = 0; i < held.length; i += 10)
            await sqs.send(
              new ChangeMessageVisibilityBatchCommand({
                QueueUrl: dlq.url,
                Entries: held.slice(i, i + 10).map((m, j) => ({
                  Id: String(i + j),
                  ReceiptHandle: m.receiptHandle,
                  VisibilityTimeout: 0,
                })),
              }),
            );
        },
      };
    },
  };
}
