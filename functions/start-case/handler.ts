import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { DynamoCustomerRegistry } from '../../shared/aws/cases-customers.ts';
import { SnsCaseNotifier } from '../../shared/aws/cases-notifier.ts';
import { SfnExecutionStarter } from '../../shared/aws/cases-sfn.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { stoppedCustomerStores } from '../../shared/aws/onboarding-store.ts';
import { parseEscalationEvent } from '../../shared/cases/events.ts';
import { startOrAttachCase } from '../../shared/cases/start-case.ts';
import { SuspendedEntryOnStatusChange } from '../../shared/kyc/suspended-entry.ts';
import { powertools, withPowertools } from '../powertools.ts';

/** EscalationQueue consumer: one open case per customer, started or attached (docs/wiring.md). */
const env = z
  .object({
    CASES_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    STATE_MACHINE_ARN: z.string().min(1),
    CUSTOMERS_TABLE: z.string().min(1),
    DOSSIERS_TABLE: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    ENFORCEMENT_TOPIC_ARN: z.string().min(1),
  })
  .parse(process.env);

const tools = powertools();
const { logger, metrics } = tools;
const doc = documentClient();
const audit = new DynamoAuditStore(doc, env.AUDIT_TABLE);
const deps = {
  cases: new DynamoCaseStore(doc, env.CASES_TABLE),
  audit,
  starter: new SfnExecutionStarter(new SFNClient({}), env.STATE_MACHINE_ARN),
  // a critical event joining a reviewed case suspends the customer at once, which puts its
  // identifiers on the do-not-onboard list
  customers: new SuspendedEntryOnStatusChange(new DynamoCustomerRegistry(doc, env.CUSTOMERS_TABLE), {
    ...stoppedCustomerStores(doc, { dossiers: env.DOSSIERS_TABLE, customers: env.CUSTOMERS_TABLE }),
    audit,
  }),
  notifier: new SnsCaseNotifier(new SNSClient({}), env.ONCALL_TOPIC_ARN, env.ENFORCEMENT_TOPIC_ARN),
};
const processor = new BatchProcessor(EventType.SQS);

async function startCase(record: SQSRecord): Promise<void> {
  const event = parseEscalationEvent(record.body, `EscalationQueue message ${record.messageId}`);
  const result = await startOrAttachCase(event, deps);
  metrics.addMetric('EscalationEventsHandled', MetricUnit.Count, 1);
  // ids only: the event's example calls hold phone numbers
  logger.info('escalation event handled', { messageId: record.messageId, type: event.type, ...result });
}

export const handler = withPowertools(
  (event: SQSEvent, context: Context) =>
    processPartialResponse(event, startCase, processor, { context, processInParallel: false }),
  tools,
);
