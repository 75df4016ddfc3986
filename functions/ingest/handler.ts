import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoAggregateStore } from '../../shared/aws/aggregate-store.ts';
import { S3BatchSource } from '../../shared/aws/batch-source.ts';
import { createAwsClients, DynamoWriteCounter } from '../../shared/aws/clients.ts';
import { SnsEventPublisher } from '../../shared/aws/event-publisher.ts';
import { DynamoManifestStore } from '../../shared/aws/manifest-store.ts';
import { scoringReference } from '../../shared/aws/scoring-config.ts';
import { deliveryOf } from '../../shared/ingest/delivery-failure-reason.ts';
import { outcomeMetrics } from '../../shared/ingest/outcome-metrics.ts';
import type { IngestPorts } from '../../shared/ingest/ports.ts';
import { DEFAULT_INGEST_OPTIONS, type IngestOptions } from '../../shared/ingest/process-batch.ts';
import { processMessage } from '../../shared/ingest/process-message.ts';
import { powertools, withPowertools } from '../powertools.ts';
import { readIngestConfig } from './config.ts';
import { noContinuationQueue, SqsContinuationQueue } from './continuation-queue.ts';

/**
 * IngestQueue consumer: S3 ObjectCreated events (and our own continuations) -> shared/ingest.
 * Everything here is wiring; the rules live in shared/ingest/process-batch.ts.
 */
const config = readIngestConfig();
const tools = powertools();
const { logger, metrics, tracer } = tools;
const clients = createAwsClients();
for (const client of [clients.dynamodb, clients.s3, clients.sns, clients.sqs])
  tracer.captureAWSv3Client(client);
const writes = new DynamoWriteCounter();
writes.attach(clients.dynamodb);

const shared = {
  source: new S3BatchSource(clients.s3),
  aggregates: new DynamoAggregateStore(clients.doc, config.AGGREGATES_TABLE),
  manifest: new DynamoManifestStore(clients.doc, config.MANIFEST_TABLE),
  reference: scoringReference(clients, config),
  events: new SnsEventPublisher(clients.sns, config.EVENTS_TOPIC_ARN),
  queue: config.INGEST_QUEUE_URL
    ? new SqsContinuationQueue(clients.sqs, config.INGEST_QUEUE_URL)
    : noContinuationQueue,
  log: {
    info: (message: string, fields?: Record<string, unknown>) => logger.info(message, { ...fields }),
    warn: (message: string, fields?: Record<string, unknown>) => logger.warn(message, { ...fields }),
  },
};
const options: IngestOptions = config.INGEST_QUEUE_URL
  ? {
      ...DEFAULT_INGEST_OPTIONS,
      timeMarginMs: config.INGEST_TIME_MARGIN_MS,
      parallel: config.INGEST_PARALLELISM,
      maxBatchBytes: config.INGEST_MAX_BATCH_BYTES,
    }
  : // nowhere to send the rest of an object: never cut a part (a huge object times out and is retried)
    {
      ...DEFAULT_INGEST_OPTIONS,
      timeMarginMs: Number.NEGATIVE_INFINITY,
      maxQuarantineBytes: Number.POSITIVE_INFINITY,
      maxPartWindows: Number.POSITIVE_INFINITY,
      parallel: config.INGEST_PARALLELISM,
      maxBatchBytes: config.INGEST_MAX_BATCH_BYTES,
    };
if (!config.INGEST_QUEUE_URL) logger.warn('INGEST_QUEUE_URL is not set: big objects cannot be continued');

const processor = new BatchProcessor(EventType.SQS);

function recordHandler(context: Context) {
  return async (record: SQSRecord): Promise<void> => {
    const ports: IngestPorts = {
      ...shared,
      clock: { now: Date.now, remainingMs: () => context.getRemainingTimeInMillis() },
    };
    const writesBefore = writes.requests;
    logger.appendKeys({ messageId: record.messageId });
    try {
      const outcomes = await processMessage(
        record.body,
        ports,
        options,
        deliveryOf(record.attributes.ApproximateReceiveCount),
      );
      for (const o of outcomes)
        for (const [name, count] of outcomeMetrics(o)) metrics.addMetric(name, MetricUnit.Count, count);
    } catch (error) {
      // reported to SQS as this record's failure: redelivered, then dead-lettered after 5 receives (the
      // batch's manifest item says which delivery failed and why, for traceguard quarantine show)
      logger.error('ingest message failed; it will be redelivered', error as Error);
      throw error;
    } finally {
      metrics.addMetric('DynamoDBWrites', MetricUnit.Count, writes.requests - writesBefore);
      logger.removeKeys(['messageId']);
    }
  };
}

// batchSize is 1 in infra; in order anyway, so two parts of one object never race
export const handler = withPowertools(
  (event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler(context), processor, { context, processInParallel: false }),
  tools,
);
