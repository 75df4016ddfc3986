import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { SnsDeadlineNotifier } from '../../shared/aws/traceback-events.ts';
import { DynamoManifestReader } from '../../shared/aws/traceback-manifest.ts';
import { SqsTracebackQueue } from '../../shared/aws/traceback-queue.ts';
import { DynamoTracebackStore } from '../../shared/aws/traceback-store.ts';
import { tracebackConfig } from '../../shared/traceback/config.ts';
import { requeueLateSearches } from '../../shared/traceback/research.ts';
import { watchDeadlines } from '../../shared/traceback/watch.ts';
import { powertools, withPowertools } from '../powertools.ts';

/**
 * EventBridge schedule: warn on-call before and at each open traceback's deadline, publish the SLA
 * metrics, and send back to the traceback queue every `not_found` answer whose time gained late batches.
 */
const env = z
  .object({
    TRACEBACKS_TABLE: z.string().min(1),
    MANIFEST_TABLE: z.string().min(1),
    TRACEBACK_QUEUE_URL: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    EVENTS_TOPIC_ARN: z.string().min(1).optional(),
  })
  .parse(process.env);
const config = tracebackConfig(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const sns = new SNSClient({});
const doc = documentClient();
const deps = {
  store: new DynamoTracebackStore(doc, env.TRACEBACKS_TABLE),
  notifier: new SnsDeadlineNotifier(sns, env.ONCALL_TOPIC_ARN, env.EVENTS_TOPIC_ARN),
  manifest: new DynamoManifestReader(doc, env.MANIFEST_TABLE),
  // the endpoint comes from the region or AWS_ENDPOINT_URL_SQS, not from the queue URL's host
  queue: new SqsTracebackQueue(new SQSClient({ useQueueUrlAsEndpoint: false }), env.TRACEBACK_QUEUE_URL),
};

// metrics are flushed by the middleware after every invocation, a failed one included
export const handler = withPowertools(async (event: Partial<ScheduledEvent> = {}) => {
  // the schedule's time, so a delayed or replayed invocation judges deadlines at the intended moment
  const nowMs = event.time ? Date.parse(event.time) : Date.now();
  const at = Number.isNaN(nowMs) ? Date.now() : nowMs;
  const result = await watchDeadlines(deps, at, config.leadTimesMs);
  const requeued = await requeueLateSearches(deps, at, config);
  metrics.addMetric('TracebacksNearDeadline', MetricUnit.Count, result.nearDeadline);
  metrics.addMetric('TracebacksBreached', MetricUnit.Count, result.breached);
  metrics.addMetric('TracebacksOpen', MetricUnit.Count, result.open);
  logger.info('traceback deadlines checked', {
    open: result.open,
    nearDeadline: result.nearDeadline,
    breached: result.breached,
    alerts: result.sent.map((a) => `${a.tracebackId}:${a.key}`),
    searchedAgain: requeued,
  });
  return {
    open: result.open,
    nearDeadline: result.nearDeadline,
    breached: result.breached,
    alertsSent: result.sent.length,
    searchedAgain: requeued.length,
  };
}, tools);
