import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { continuationMessage } from '../../shared/ingest/messages.ts';
import type { Continuation, WorkQueue } from '../../shared/ingest/ports.ts';

/** Sends the rest of a big object back to the IngestQueue as a continuation message. */
export class SqsContinuationQueue implements WorkQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async sendContinuation(continuation: Continuation): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: continuationMessage(continuation) }),
    );
  }

  async sendLater(job: Continuation, delaySeconds: number): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: continuationMessage(job),
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }
}

/** Without INGEST_QUEUE_URL parts are never cut, so this is only reached by a configuration bug. */
export const noContinuationQueue: WorkQueue = {
  async sendContinuation(c) {
    throw new Error(`INGEST_QUEUE_URL is not set: cannot continue ${c.key} at part ${c.part}`);
  },
  async sendLater(c) {
    throw new Error(`INGEST_QUEUE_URL is not set: cannot send ${c.key} back to wait for its key`);
  },
};
