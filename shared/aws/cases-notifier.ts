import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EnforcementEvent, Notifier, OnCallMessage } from '../cases/ports.ts';

/**
 * On-call messages go to OnCallTopic; enforcement events to the enforcement topic (ComplianceEvents
 * by default) with `type = enforcement` and `customer_id` attributes. They deliberately carry no
 * `severity_rank`, so the EscalationQueue filter never feeds an enforcement back into a new case.
 */
export class SnsCaseNotifier implements Notifier {
  readonly #sns: SNSClient;
  readonly #onCallTopicArn: string;
  readonly #enforcementTopicArn: string;

  constructor(sns: SNSClient, onCallTopicArn: string, enforcementTopicArn: string) {
    this.#sns = sns;
    this.#onCallTopicArn = onCallTopicArn;
    this.#enforcementTopicArn = enforcementTopicArn;
  }

  async notifyOnCall(message: OnCallMessage): Promise<void> {
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#onCallTopicArn,
        // SNS subjects: at most 100 printable ASCII characters
        Subject: message.subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100),
        Message: message.text,
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'case' },
          customer_id: { DataType: 'String', StringValue: message.customerId },
          case_id: { DataType: 'String', StringValue: message.caseId },
        },
      }),
    );
  }

  async publishEnforcement(event: EnforcementEvent): Promise<void> {
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#enforcementTopicArn,
        Message: JSON.stringify(event),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'enforcement' },
          customer_id: { DataType: 'String', StringValue: event.customer_id },
        },
      }),
    );
  }
}
