import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { DynamoCustomerRegistry, DynamoTracebackHistory } from '../../shared/aws/cases-customers.ts';
import { SnsCaseNotifier } from '../../shared/aws/cases-notifier.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { stoppedCustomerStores } from '../../shared/aws/onboarding-store.ts';
import { CaseSteps } from '../../shared/cases/steps.ts';
import { SuspendedEntryOnStatusChange } from '../../shared/kyc/suspended-entry.ts';
import { DoNotOnboardOnTermination } from '../../shared/kyc/track-record-review.ts';
import { powertools, withPowertools } from '../powertools.ts';
import { makeCaseStepHandler } from './dispatch.ts';

/** Lambda tasks of the Escalation state machine; `event.step` selects the step (docs/wiring.md). */
const env = z
  .object({
    CASES_TABLE: z.string().min(1),
    REVIEW_TOKENS_TABLE: z.string().min(1),
    CUSTOMERS_TABLE: z.string().min(1),
    TRACEBACKS_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    DOSSIERS_TABLE: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    ENFORCEMENT_TOPIC_ARN: z.string().min(1),
  })
  .parse(process.env);

const doc = documentClient();
const audit = new DynamoAuditStore(doc, env.AUDIT_TABLE);
// a terminated or suspended customer's identifiers are on the do-not-onboard list
const stopped = stoppedCustomerStores(doc, { dossiers: env.DOSSIERS_TABLE, customers: env.CUSTOMERS_TABLE });
const runStep = makeCaseStepHandler(
  new CaseSteps({
    cases: new DynamoCaseStore(doc, env.CASES_TABLE, env.REVIEW_TOKENS_TABLE),
    customers: new SuspendedEntryOnStatusChange(new DynamoCustomerRegistry(doc, env.CUSTOMERS_TABLE), {
      ...stopped,
      audit,
    }),
    tracebacks: new DynamoTracebackHistory(doc, env.TRACEBACKS_TABLE),
    notifier: new SnsCaseNotifier(new SNSClient({}), env.ONCALL_TOPIC_ARN, env.ENFORCEMENT_TOPIC_ARN),
    audit,
    onTerminated: new DoNotOnboardOnTermination({ ...stopped, audit }),
  }),
);

const tools = powertools();

// errors pass through the middlewares unchanged: the state machine's Retry and Catch match their names
export const handler = withPowertools(async (event: unknown) => {
  const result = await runStep(event);
  tools.metrics.addMetric('CaseStepsRun', MetricUnit.Count, 1);
  return result;
}, tools);
