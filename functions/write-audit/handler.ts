import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { appendAudit, auditStreams } from '../../shared/audit/append.ts';
import { auditEntryForEvent } from '../../shared/audit/compliance-event.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';

/** AuditQueue consumer: every ComplianceEvents message joins the `events` hash chain. */
const env = z.object({ AUDIT_TABLE: z.string().min(1) }).parse(process.env);

const logger = new Logger();
const store = new DynamoAuditStore(documentClient(), env.AUDIT_TABLE);
const processor = new BatchProcessor(EventType.SQS);

async function writeAudit(record: SQSRecord): Promise<void> {
  const entry = auditEntryForEvent(record.body, record.messageId);
  const written = await appendAudit(store, auditStreams.events, entry);
  logger.info('audit record appended', {
    messageId: record.messageId,
    seq: written.seq,
    action: entry.action,
  });
}

// one record at a time: the records of a batch would otherwise race for the same sequence numbers
export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, writeAudit, processor, { context, processInParallel: false });
