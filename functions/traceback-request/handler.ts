import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { S3SwitchConfigStore } from '../../shared/aws/switch-config-store.ts';
import { S3BatchOpener } from '../../shared/aws/traceback-batches.ts';
import { SnsTracebackEventPublisher } from '../../shared/aws/traceback-events.ts';
import { DynamoManifestReader } from '../../shared/aws/traceback-manifest.ts';
import { DynamoTracebackStore } from '../../shared/aws/traceback-store.ts';
import { tracebackConfig } from '../../shared/traceback/config.ts';
import { handleTracebackRequest } from '../../shared/traceback/intake.ts';
import { parseTracebackRequest } from '../../shared/traceback/request.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** TracebackQueue consumer: validate, look up through the manifest, store the answer, publish. */
const env = z
  .object({
    MANIFEST_TABLE: z.string().min(1),
    TRACEBACKS_TABLE: z.string().min(1),
    CDR_BUCKET: z.string().min(1),
    EVENTS_TOPIC_ARN: z.string().min(1),
    /** reference/switches.csv: how each switch's batches are read (native formats need a zone) */
    REFERENCE_BUCKET: z.string().min(1).optional(),
  })
  .parse(process.env);
const config = tracebackConfig(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const doc = documentClient();
const s3 = new S3Client({});
const deps = {
  store: new DynamoTracebackStore(doc, env.TRACEBACKS_TABLE),
  manifest: new DynamoManifestReader(doc, env.MANIFEST_TABLE),
  opener: new S3BatchOpener(s3, env.CDR_BUCKET),
  events: new SnsTracebackEventPublisher(new SNSClient({}), env.EVENTS_TOPIC_ARN),
  switches: env.REFERENCE_BUCKET ? new S3SwitchConfigStore(s3, env.REFERENCE_BUCKET) : undefined,
};
if (!env.REFERENCE_BUCKET)
  logger.warn(
    'REFERENCE_BUCKET is not set: reference/switches.csv is not read, native-format batches use CDR_TIMEZONE only',
  );
const processor = new BatchProcessor(EventType.SQS);

async function answerRequest(record: SQSRecord): Promise<void> {
  // an invalid request fails (and ends in the DLQ, which alarms): it must reach a person, not vanish
  const request = parseTracebackRequest(
    record.body,
    `TracebackQueue message ${record.messageId}`,
    Date.now(),
  );
  const result = await handleTracebackRequest(request, deps, config).catch((error: unknown) => {
    // the message is retried (then dead-lettered); say why here, by ids only
    logger.error('traceback request failed', {
      messageId: record.messageId,
      tracebackId: request.tracebackId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw error;
  });
  metrics.addMetric('TracebacksAnswered', MetricUnit.Count, 1);
  // ids and counts only: the request and the answer hold phone numbers
  logger.info('traceback request handled', {
    messageId: record.messageId,
    tracebackId: request.tracebackId,
    outcome: result.outcome,
    status: result.answer.status,
    matches: result.answer.matches.length,
    batchesSearched: result.answer.searched.batches,
  });
}

export const handler = withPowertools(
  (event: SQSEvent, context: Context) =>
    processPartialResponse(event, answerRequest, processor, { context, processInParallel: false }),
  tools,
);
