import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { DynamoCustomerRegistry, DynamoTracebackHistory } from '../../shared/aws/cases-customers.ts';
import { SnsCaseNotifier } from '../../shared/aws/cases-notifier.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { CaseSteps } from '../../shared/cases/steps.ts';
import { makeCaseStepHandler } from './dispatch.ts';

/** Lambda tasks of the Escalation state machine; `event.step` selects the step (docs/wiring.md). */
const env = z
  .object({
    CASES_TABLE: z.string().min(1),
    CUSTOMERS_TABLE: z.string().min(1),
    TRACEBACKS_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    ENFORCEMENT_TOPIC_ARN: z.string().min(1),
  })
  .parse(process.env);

const doc = documentClient();
export const handler = makeCaseStepHandler(
  new CaseSteps({
    cases: new DynamoCaseStore(doc, env.CASES_TABLE),
    customers: new DynamoCustomerRegistry(doc, env.CUSTOMERS_TABLE),
    tracebacks: new DynamoTracebackHistory(doc, env.TRACEBACKS_TABLE),
    notifier: new SnsCaseNotifier(new SNSClient({}), env.ONCALL_TOPIC_ARN, env.ENFORCEMENT_TOPIC_ARN),
    audit: new DynamoAuditStore(doc, env.AUDIT_TABLE),
  }),
);
