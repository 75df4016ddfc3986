import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type FindingEvent, findingAttributes } from '../ingest/finding-event.ts';
import type { EventPublisher } from '../ingest/ports.ts';

/** Findings to the ComplianceEvents topic, with the attributes the subscriptions filter on. */
export class SnsEventPublisher implements EventPublisher {
  readonly #sns: SNSClient;
  readonly #topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.#sns = sns;
    this.#topicArn = topicArn;
  }

  async publishFinding(event: FindingEvent): Promise<void> {
    const attributes = findingAttributes(event);
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, a]) => [name, { DataType: a.type, StringValue: a.value }]),
        ),
      }),
    );
  }
}
