import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { notifyOnCall } from '../../shared/alerts/notify-on-call.ts';
import { DynamoEpisodeStore } from '../../shared/aws/alert-episode-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { SnsAlertPublisher } from '../../shared/aws/oncall-publisher.ts';
import { idempotentRecords } from '../idempotent-records.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** AlertQueue consumer: one readable, phone-number-free alert per customer episode to the on-call topic. */
const env = z
  .object({
    ONCALL_TOPIC_ARN: z.string().min(1, 'ONCALL_TOPIC_ARN is not set'),
    IDEMPOTENCY_TABLE: z.string().min(1, 'IDEMPOTENCY_TABLE is not set'),
    CASES_TABLE: z.string().min(1, 'CASES_TABLE is not set'),
    ALERT_QUIET_HOURS: z.coerce.number().positive('ALERT_QUIET_HOURS must be > 0').default(24),
  })
  .parse(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const episodes = new DynamoEpisodeStore(documentClient(), env.CASES_TABLE);
const deps = {
  episodes,
  cases: episodes,
  publisher: new SnsAlertPublisher(new SNSClient({}), env.ONCALL_TOPIC_ARN),
  policy: { quietPeriodMs: env.ALERT_QUIET_HOURS * 3_600_000 },
};
const processor = new BatchProcessor(EventType.SQS);

async function notify(record: SQSRecord): Promise<void> {
  const result = await notifyOnCall(record.body, deps);
  if (result.outcome === 'sent') metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
  else if (result.outcome === 'suppressed') metrics.addMetric('AlertsSuppressed', MetricUnit.Count, 1);
  // ids only: the event's reasons may quote phone numbers
  logger.info(`on-call alert ${result.outcome}`, { messageId: record.messageId, ...result });
}

// a duplicated event (SNS redelivery, a retried publish) pages once
const notifyOnce = idempotentRecords(env.IDEMPOTENCY_TABLE, notify);

export const handler = withPowertools(async (event: SQSEvent, context: Context) => {
  notifyOnce.registerContext(context);
  return processPartialResponse(event, notifyOnce.handle, processor, { context });
}, tools);
