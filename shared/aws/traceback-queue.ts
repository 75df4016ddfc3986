import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TracebackQueue } from '../traceback/ports.ts';
import type { TracebackRequestDocument } from '../traceback/request.ts';

/** Sends a stored request back to the TracebackQueue, as `traceguard traceback submit` sends one. */
export class SqsTracebackQueue implements TracebackQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(request: TracebackRequestDocument): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(request) }),
    );
  }
}
