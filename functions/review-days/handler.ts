import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { DynamoAggregateStore } from '../../shared/aws/aggregate-store.ts';
import { createAwsClients } from '../../shared/aws/clients.ts';
import { SnsEventPublisher } from '../../shared/aws/event-publisher.ts';
import { reviewDays } from '../../shared/ingest/review-days.ts';
import { scoringEnvironment, scoringReference } from '../ingest/config.ts';
import { powertools, withPowertools } from '../powertools.ts';

/**
 * EventBridge schedule (hourly): each customer's UTC day judged as a whole once the day is over and
 * its grace for late batches has passed (shared/ingest/review-days.ts). Its day findings go out on
 * ComplianceEvents like ingest's hour findings.
 */
const env = z
  .object({
    ...scoringEnvironment,
    /** how long after a day ends its batches may still come */
    REVIEW_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(7200),
    REVIEW_PARALLELISM: z.coerce.number().int().min(1).max(64).default(16),
  })
  .parse(process.env);

const clients = createAwsClients();
const tools = powertools();
const { logger, metrics } = tools;
const store = new DynamoAggregateStore(clients.doc, env.AGGREGATES_TABLE);
const reference = scoringReference(clients, env);
const events = new SnsEventPublisher(clients.sns, env.EVENTS_TOPIC_ARN);

export const handler = withPowertools(async (_event: unknown, context: Context) => {
  const report = await reviewDays({
    store,
    events,
    reference,
    clock: { now: Date.now, remainingMs: () => context.getRemainingTimeInMillis() },
    graceMs: env.REVIEW_GRACE_SECONDS * 1000,
    parallel: env.REVIEW_PARALLELISM,
    // what one customer's read, scoring and publish can take, with room to spare
    marginMs: 30_000,
  });
  const count = (k: 'customers' | 'published' | 'left') => report.reviewed.reduce((n, d) => n + d[k], 0);
  metrics.addMetric('CustomerDaysReviewed', MetricUnit.Count, count('customers'));
  metrics.addMetric('DayFindingsPublished', MetricUnit.Count, count('published'));
  metrics.addMetric('CustomerDaysLeft', MetricUnit.Count, count('left'));
  // days and counts only, never customers' numbers
  logger.info('day review', { reviewed: report.reviewed, waiting: report.waiting });
  return report;
}, tools);
