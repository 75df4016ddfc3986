import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A queue's messages: waiting to be received, received and not deleted (in flight), and delayed. */
export interface QueueCounts {
  waiting: number;
  inFlight: number;
  delayed: number;
}

export async function queueCounts(sqs: SQSClient, url: string): Promise<QueueCounts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Messages waiting in a queue or being processed (visible + in flight). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const { waiting, inFlight } = await queueCounts(sqs, url);
  return waiting + inFlight;
}
