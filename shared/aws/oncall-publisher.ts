import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher } from '../alerts/ports.ts';

/** On-call alerts to the OnCallTopic, with `type = alert`, severity, customer and case attributes. */
export class SnsAlertPublisher implements AlertPublisher {
  readonly #sns: SNSClient;
  readonly #topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.#sns = sns;
    this.#topicArn = topicArn;
  }

  async publish(alert: Parameters<AlertPublisher['publish']>[0]): Promise<void> {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        // SNS subjects: at most 100 printable ASCII characters
        Subject: alert.subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100),
        Message: alert.text,
        MessageAttributes: {
          type: attribute('alert'),
          severity: attribute(alert.severity),
          ...(alert.customerId ? { customer_id: attribute(alert.customerId) } : {}),
          ...(alert.caseId ? { case_id: attribute(alert.caseId) } : {}),
        },
      }),
    );
  }
}
