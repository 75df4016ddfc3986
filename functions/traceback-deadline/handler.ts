import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { SnsDeadlineNotifier } from '../../shared/aws/traceback-events.ts';
import { DynamoTracebackStore } from '../../shared/aws/traceback-store.ts';
import { tracebackConfig } from '../../shared/traceback/config.ts';
import { watchDeadlines } from '../../shared/traceback/watch.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** EventBridge schedule: warn on-call before and at each open traceback's deadline, publish the SLA metrics. */
const env = z
  .object({
    TRACEBACKS_TABLE: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    EVENTS_TOPIC_ARN: z.string().min(1).optional(),
  })
  .parse(process.env);
const config = tracebackConfig(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const sns = new SNSClient({});
const deps = {
  store: new DynamoTracebackStore(documentClient(), env.TRACEBACKS_TABLE),
  notifier: new SnsDeadlineNotifier(sns, env.ONCALL_TOPIC_ARN, env.EVENTS_TOPIC_ARN),
};

// metrics are flushed by the middleware after every invocation, a failed one included
export const handler = withPowertools(async (event: Partial<ScheduledEvent> = {}) => {
  // the schedule's time, so a delayed or replayed invocation judges deadlines at the intended moment
  const nowMs = event.time ? Date.parse(event.time) : Date.now();
  const result = await watchDeadlines(deps, Number.isNaN(nowMs) ? Date.now() : nowMs, config.leadTimesMs);
  metrics.addMetric('TracebacksNearDeadline', MetricUnit.Count, result.nearDeadline);
  metrics.addMetric('TracebacksBreached', MetricUnit.Count, result.breached);
  metrics.addMetric('TracebacksOpen', MetricUnit.Count, result.open);
  logger.info('traceback deadlines checked', {
    open: result.open,
    nearDeadline: result.nearDeadline,
    breached: result.breached,
    alerts: result.sent.map((a) => `${a.tracebackId}:${a.key}`),
  });
  return {
    open: result.open,
    nearDeadline: result.nearDeadline,
    breached: result.breached,
    alertsSent: result.sent.length,
  };
}, tools);
