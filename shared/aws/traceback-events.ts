import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { maskPhoneNumbers } from '../privacy/mask-numbers.ts';
import { type DeadlineAlert, describeRemaining } from '../traceback/deadline-watch.ts';
import type { DeadlineNotifier, TracebackEvent, TracebackEventPublisher } from '../traceback/ports.ts';
import type { TracebackRecord } from '../traceback/record.ts';

const SEVERITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * Traceback events on ComplianceEvents with the attributes the subscriptions filter on
 * (docs/wiring.md): EscalationQueue takes every `type = traceback`, AlertQueue `severity_rank >= 2`.
 */
export class SnsTracebackEventPublisher implements TracebackEventPublisher {
  readonly #sns: SNSClient;
  readonly #topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.#sns = sns;
    this.#topicArn = topicArn;
  }

  async publish(event: TracebackEvent): Promise<void> {
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'traceback' },
          severity: { DataType: 'String', StringValue: event.severity },
          severity_rank: { DataType: 'Number', StringValue: String(SEVERITY_RANK[event.severity]) },
          customer_id: { DataType: 'String', StringValue: event.customer_id },
        },
      }),
    );
  }
}

/** The on-call text: ids, times and the requester, never the numbers of the traced call. */
export function deadlineAlertText(
  alert: DeadlineAlert,
  record: TracebackRecord,
): { subject: string; text: string } {
  const due = record.deadline;
  const subject =
    alert.kind === 'breach'
      ? `Traceback ${record.tracebackId} answer deadline missed`
      : `Traceback ${record.tracebackId} due in ${describeRemaining(alert.remainingMs).replace(' left', '')}`;
  const text = [
    alert.kind === 'breach'
      ? `Traceback request ${record.tracebackId} was due at ${due} and is still unanswered (${describeRemaining(alert.remainingMs)}).`
      : `Traceback request ${record.tracebackId} must be answered by ${due} (${describeRemaining(alert.remainingMs)}).`,
    `Received ${record.receivedAt} from ${record.requester || 'unknown requester'}${record.campaign ? `, campaign "${record.campaign}"` : ''}; call time ${record.callTime}.`,
    `Look at the TracebackQueue DLQ and the traceback-request function's errors; answer manually with: traceguard traceback show ${record.tracebackId}`,
  ].join('\n');
  return { subject: maskPhoneNumbers(subject), text: maskPhoneNumbers(text) };
}

/**
 * Deadline alerts: a message on OnCallTopic for people, and a `traceback_deadline` record on
 * ComplianceEvents for the audit log. The latter carries no severity_rank, so the alert and
 * escalation subscriptions do not turn it into a second page or a case.
 */
export class SnsDeadlineNotifier implements DeadlineNotifier {
  readonly #sns: SNSClient;
  readonly #onCallTopicArn: string;
  readonly #eventsTopicArn: string | undefined;

  constructor(sns: SNSClient, onCallTopicArn: string, eventsTopicArn?: string) {
    this.#sns = sns;
    this.#onCallTopicArn = onCallTopicArn;
    this.#eventsTopicArn = eventsTopicArn;
  }

  async alert(alert: DeadlineAlert, record: TracebackRecord): Promise<void> {
    const { subject, text } = deadlineAlertText(alert, record);
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#onCallTopicArn,
        Subject: subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100),
        Message: text,
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'traceback_deadline' },
          traceback_id: { DataType: 'String', StringValue: record.tracebackId },
        },
      }),
    );
    if (!this.#eventsTopicArn) return;
    await this.#sns.send(
      new PublishCommand({
        TopicArn: this.#eventsTopicArn,
        Message: JSON.stringify({
          type: 'traceback_deadline',
          traceback_id: record.tracebackId,
          status: alert.kind,
          alert: alert.key,
          deadline: record.deadline,
        }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'traceback_deadline' } },
      }),
    );
  }
}
