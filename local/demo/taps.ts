import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Local-only observer queues ("taps") subscribed to a topic, so `npm start` can show what was
 * published: the findings on ComplianceEvents and the messages on-call would receive. They are not in
 * the CDK app and never deployed; nothing consumes them but the demo report.
 */
export interface Tap {
  name: string;
  url: string;
}

export async function tapTopic(sqs: SQSClient, sns: SNSClient, name: string, topicArn: string): Promise<Tap> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = QueueUrl as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  // subscribing twice with the same attributes is idempotent in SNS, so restarts add no duplicates
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return { name, url };
}

export interface TappedMessage {
  body: string;
  attributes: Record<string, string>;
}

/** Everything in the tap right now, removed from it (each message is shown once). */
export async function drainTap(sqs: SQSClient, tap: Tap): Promise<TappedMessage[]> {
  const out: TappedMessage[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: tap.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return out;
    for (const m of Messages) {
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) attributes[k] = v.StringValue ?? '';
      out.push({ body: m.Body ?? '', attributes });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: tap.url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
}
