import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { alertFor } from '../../shared/alerts/on-call-alert.ts';

/** AlertQueue consumer: one readable, phone-number-free message per event to the on-call topic. */
const env = z
  .object({ ONCALL_TOPIC_ARN: z.string().min(1, 'ONCALL_TOPIC_ARN is not set') })
  .parse(process.env);

const logger = new Logger();
const sns = new SNSClient({});
const processor = new BatchProcessor(EventType.SQS);

async function notify(record: SQSRecord): Promise<void> {
  const alert = alertFor(record.body);
  await sns.send(
    new PublishCommand({
      TopicArn: env.ONCALL_TOPIC_ARN,
      // SNS subjects: at most 100 printable ASCII characters
      Subject: alert.subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100),
      Message: alert.text,
      MessageAttributes: {
        type: { DataType: 'String', StringValue: 'alert' },
        severity: { DataType: 'String', StringValue: alert.severity },
        ...(alert.customerId ? { customer_id: { DataType: 'String', StringValue: alert.customerId } } : {}),
      },
    }),
  );
  logger.info('on-call alert sent', {
    messageId: record.messageId,
    customerId: alert.customerId,
    severity: alert.severity,
  });
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, notify, processor, { context });
