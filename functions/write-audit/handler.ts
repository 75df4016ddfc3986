import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { appendAudit, auditStreams } from '../../shared/audit/append.ts';
import { auditEntryForEvent } from '../../shared/audit/compliance-event.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { idempotentRecords } from '../idempotent-records.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** AuditQueue consumer: every ComplianceEvents message joins the `events` hash chain. */
const env = z
  .object({ AUDIT_TABLE: z.string().min(1), IDEMPOTENCY_TABLE: z.string().min(1) })
  .parse(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const store = new DynamoAuditStore(documentClient(), env.AUDIT_TABLE);
const processor = new BatchProcessor(EventType.SQS);

async function writeAudit(record: SQSRecord): Promise<void> {
  const entry = auditEntryForEvent(record.body, record.messageId);
  const written = await appendAudit(store, auditStreams.events, entry);
  metrics.addMetric('AuditRecordsAppended', MetricUnit.Count, 1);
  logger.info('audit record appended', {
    messageId: record.messageId,
    seq: written.seq,
    action: entry.action,
  });
}

// a duplicated event joins the chain once (the chain itself cannot tell two copies apart)
const writeAuditOnce = idempotentRecords(env.IDEMPOTENCY_TABLE, writeAudit);

// one record at a time: the records of a batch would otherwise race for the same sequence numbers
export const handler = withPowertools(async (event: SQSEvent, context: Context) => {
  writeAuditOnce.registerContext(context);
  return processPartialResponse(event, writeAuditOnce.handle, processor, {
    context,
    processInParallel: false,
  });
}, tools);
