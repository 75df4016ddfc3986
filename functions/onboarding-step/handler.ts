import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { DynamoCustomerRegistry } from '../../shared/aws/cases-customers.ts';
import { SnsCaseNotifier } from '../../shared/aws/cases-notifier.ts';
import {
  DynamoCheckSources,
  DynamoDoNotOnboardList,
  DynamoDossierStore,
  DynamoOnboardingRegistry,
  DynamoRmdStore,
} from '../../shared/aws/onboarding-store.ts';
import { ReferenceStore } from '../../shared/aws/reference-store.ts';
import { OnboardingSteps } from '../../shared/kyc/onboarding-steps.ts';
import { powertools, withPowertools } from '../powertools.ts';
import { makeOnboardingStepHandler } from './dispatch.ts';

/** Lambda tasks of the Onboarding state machine; `event.step` selects the step. */
const env = z
  .object({
    DOSSIERS_TABLE: z.string().min(1),
    REVIEW_TOKENS_TABLE: z.string().min(1),
    CUSTOMERS_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    REFERENCE_BUCKET: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
  })
  .parse(process.env);

const doc = documentClient();
const dossiers = new DynamoDossierStore(doc, env.DOSSIERS_TABLE, env.REVIEW_TOKENS_TABLE);
const registry = new DynamoOnboardingRegistry(doc, env.CUSTOMERS_TABLE);
const runStep = makeOnboardingStepHandler(
  new OnboardingSteps({
    dossiers,
    sources: new DynamoCheckSources(
      new DynamoDoNotOnboardList(doc, env.DOSSIERS_TABLE),
      new DynamoRmdStore(doc, env.DOSSIERS_TABLE),
      new ReferenceStore(doc, new S3Client({}), {
        customersTable: env.CUSTOMERS_TABLE,
        referenceBucket: env.REFERENCE_BUCKET,
      }),
      // an applicant is compared with the customers already onboarded, as they were declared
      { registry, dossiers },
    ),
    registry,
    // the same Customers rows, as the case workflow writes their status (suspended, terminated)
    customers: new DynamoCustomerRegistry(doc, env.CUSTOMERS_TABLE),
    // onboarding sends no enforcement events; the topic variable is the on-call one on purpose
    notifier: new SnsCaseNotifier(new SNSClient({}), env.ONCALL_TOPIC_ARN, env.ONCALL_TOPIC_ARN),
    audit: new DynamoAuditStore(doc, env.AUDIT_TABLE),
  }),
);

const tools = powertools();

// errors pass through the middlewares unchanged: the state machine's Retry and Catch match their names
export const handler = withPowertools(async (event: unknown) => {
  const result = await runStep(event);
  tools.metrics.addMetric('OnboardingStepsRun', MetricUnit.Count, 1);
  return result;
}, tools);
