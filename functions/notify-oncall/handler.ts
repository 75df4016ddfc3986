import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { notifyOnCall } from '../../shared/alerts/notify-on-call.ts';
import { DynamoEpisodeStore } from '../../shared/aws/alert-episode-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { SnsAlertPublisher } from '../../shared/aws/oncall-publisher.ts';

/** AlertQueue consumer: one readable, phone-number-free alert per customer episode to the on-call topic. */
const env = z
  .object({
    ONCALL_TOPIC_ARN: z.string().min(1, 'ONCALL_TOPIC_ARN is not set'),
    CASES_TABLE: z.string().min(1, 'CASES_TABLE is not set'),
    ALERT_QUIET_HOURS: z.coerce.number().positive('ALERT_QUIET_HOURS must be > 0').default(24),
  })
  .parse(process.env);

const logger = new Logger();
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
  // ids only: the event's reasons may quote phone numbers
  logger.info(`on-call alert ${result.outcome}`, { messageId: record.messageId, ...result });
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, notify, processor, { context });
