import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { LocalClients } from '../aws-clients.ts';
import type { EventSourceMappingSpec } from '../template/wiring.ts';
import type { ActivityTracker } from './activity.ts';
import type { FailingMessages } from './failing-messages.ts';
import { type FailedMessage, HandlerFailure, messageKeys } from './handler-failure.ts';
import { LambdaInvocationError, type LambdaRunner, type RecordFailure } from './lambda-runner.ts';

/** Lambda's SQS event record shape (what `SQSEvent.Records[n]` holds in @types/aws-lambda). */
export function sqsEventRecord(message: Message, queueArn: string, region: string) {
  const attributes = message.Attributes ?? {};
  const messageAttributes: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {}) as Array<
    [string, MessageAttributeValue]
  >) {
    messageAttributes[name] = {
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'LOCALTRACEGUARD',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Which messages of a batch to delete after the handler returned or threw. */
export function successfulMessages(
  messages: Message[],
  outcome: { ok: true; result: unknown } | { ok: false },
  reportBatchItemFailures: boolean,
): Message[] {
  if (!outcome.ok) return [];
  if (!reportBatchItemFailures) return messages;
  const response = outcome.result as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | null;
  const failures = response?.batchItemFailures;
  if (!Array.isArray(failures)) return messages;
  const failed = new Set(failures.map((failure) => failure.itemIdentifier));
  // Lambda treats a failure entry without a valid id as "the whole batch failed"
  if (
    failures.some(
      (failure) => !failure.itemIdentifier || !messages.some((m) => m.MessageId === failure.itemIdentifier),
    )
  ) {
    return [];
  }
  return messages.filter((message) => !failed.has(message.MessageId));
}

/**
 * The Lambda SQS poller for one AWS::Lambda::EventSourceMapping: receives up to BatchSize messages
 * (10 per call, the SQS limit), invokes the handler with a Lambda-shaped event, deletes what succeeded
 * and leaves failures to come back after the queue's visibility timeout, so the queue's own
 * RedrivePolicy moves them to the DLQ after maxReceiveCount receives.
 */
export class SqsEventSource {
  private stopped = false;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  readonly spec: EventSourceMappingSpec;
  private readonly options: {
    clients: LocalClients;
    queueUrl: string;
    region: string;
    lambda: LambdaRunner;
    activity: ActivityTracker;
    onError(error: unknown): void;
    /** the messages whose delivery failed, by function and error kind, for the report */
    failing?: FailingMessages;
  };

  constructor(spec: EventSourceMappingSpec, options: SqsEventSource['options']) {
    this.spec = spec;
    this.options = options;
  }

  start(): void {
    if (!this.spec.enabled) return;
    const workers = Math.max(1, Math.min(this.spec.maximumConcurrency, 4));
    for (let i = 0; i < workers; i++) this.loops.push(this.poll());
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pollOnce(1);
      } catch (error) {
        if (this.stopped) return;
        this.options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** One receive-invoke-delete round; `waitSeconds` is the long-poll time. Returns messages handled. */
  async pollOnce(waitSeconds = 0): Promise<number> {
    const { clients, queueUrl } = this.options;
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(this.spec.batchSize, 10),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    await this.options.activity.track(async () => {
      const event = {
        Records: messages.map((message) => sqsEventRecord(message, this.spec.queueArn, this.options.region)),
      };
      let outcome: { ok: true; result: unknown } | { ok: false };
      let recordFailures: RecordFailure[] = [];
      try {
        const invoked = await this.options.lambda.invokeBatch(this.spec.functionName, event);
        outcome = { ok: true, result: invoked.result };
        recordFailures = invoked.recordFailures;
      } catch (error) {
        this.report(messages, error);
        outcome = { ok: false };
      }
      const done = successfulMessages(messages, outcome, this.spec.reportBatchItemFailures);
      // the handler returned, listing records in batchItemFailures: each is named with its own error
      const failed = messages.filter((m) => !done.includes(m));
      if (outcome.ok && failed.length > 0) {
        const reasons = failed.map(
          (m) =>
            recordFailures.find((f) => f.messageId === m.MessageId)?.reason ??
            'BatchItemFailures: listed in the batchItemFailures the handler returned (see its log)',
        );
        this.report(
          failed,
          new LambdaInvocationError(
            'BatchItemFailures',
            `${failed.length} of ${messages.length} record(s) failed: ${reasons.join(' | ')}`,
            undefined,
            reasons,
          ),
        );
      }
      if (done.length > 0) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((message) => ({ Id: randomUUID(), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
        this.options.failing?.deleted(done.map((m) => m.MessageId ?? '?'));
      }
    });
    return messages.length;
  }

  /** Names the function and the messages that failed, with why (onError), and counts them (failing). */
  private report(messages: Message[], error: unknown): void {
    const failed: FailedMessage[] = messages.map((m) => ({
      messageId: m.MessageId ?? '?',
      keys: messageKeys(m.Body ?? ''),
    }));
    const failure = new HandlerFailure(
      this.options.lambda.displayName(this.spec.functionName),
      failed,
      error,
    );
    this.options.failing?.failed(
      failure,
      this.options.lambda.find(this.spec.functionName)?.timeoutSeconds ?? 0,
    );
    this.options.onError(failure);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
