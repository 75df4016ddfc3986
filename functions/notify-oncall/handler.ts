import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { alertFor } from '../../shared/alerts/on-call-alert.ts';
import { idempotentRecords } from '../idempotent-records.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** AlertQueue consumer: one readable, phone-number-free message per event to the on-call topic. */
const env = z
  .object({
    ONCALL_TOPIC_ARN: z.string().min(1, 'ONCALL_TOPIC_ARN is not set'),
    IDEMPOTENCY_TABLE: z.string().min(1, 'IDEMPOTENCY_TABLE is not set'),
  })
  .parse(process.env);

const tools = powertools();
const { logger, metrics } = tools;
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
  metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
  logger.info('on-call alert sent', {
    messageId: record.messageId,
    customerId: alert.customerId,
    severity: alert.severity,
  });
}

// a duplicated event (SNS redelivery, a retried publish) pages once
const notifyOnce = idempotentRecords(env.IDEMPOTENCY_TABLE, notify);

export const handler = withPowertools(async (event: SQSEvent, context: Context) => {
  notifyOnce.registerContext(context);
  return processPartialResponse(event, notifyOnce.handle, processor, { context });
}, tools);
