import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../../shared/aws/clients.ts';
import { dayReviewPortsOf, readDayReviewConfig } from '../../shared/aws/day-review-config.ts';
import { dayReviewTotals, reviewDays } from '../../shared/ingest/review-days.ts';
import { powertools, withPowertools } from '../powertools.ts';

/**
 * EventBridge schedule (hourly): each customer's UTC day judged as a whole once the day is over, its
 * grace for late batches has passed and no batch that may hold its calls is still being read or waits
 * for a redelivery, or its hold for them is over (shared/ingest/review-days.ts). Its day findings go out on
 * ComplianceEvents like ingest's hour findings. `traceguard day-review` runs the same review from a
 * shell, with the same settings.
 */
const env = readDayReviewConfig();
const tools = powertools();
const { logger, metrics } = tools;
const ports = dayReviewPortsOf(createAwsClients(), env);

export const handler = withPowertools(async (_event: unknown, context: Context) => {
  const report = await reviewDays({
    ...ports,
    clock: { now: Date.now, remainingMs: () => context.getRemainingTimeInMillis() },
    graceMs: env.REVIEW_GRACE_SECONDS * 1000,
    holdMs: env.REVIEW_HOLD_SECONDS * 1000,
    parallel: env.REVIEW_PARALLELISM,
    // what one customer's read, scoring and publish can take, with room to spare
    marginMs: 30_000,
  });
  const totals = dayReviewTotals(report);
  metrics.addMetric('CustomerDaysReviewed', MetricUnit.Count, totals.customers);
  metrics.addMetric('DayFindingsPublished', MetricUnit.Count, totals.published);
  metrics.addMetric('CustomerDaysLeft', MetricUnit.Count, totals.left);
  // days and counts only, never customers' numbers
  logger.info('day review', { reviewed: report.reviewed, held: report.held, waiting: report.waiting });
  return report;
}, tools);
