import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { z } from 'zod';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { SfnReviewCallbacks } from '../../shared/aws/cases-sfn.ts';
import { DynamoCaseStore } from '../../shared/aws/cases-store.ts';
import { DynamoDossierStore } from '../../shared/aws/onboarding-store.ts';
import { powertools, withPowertools } from '../powertools.ts';
import { makeDecideHandler } from './dispatch.ts';

/** Reviewers' decisions on cases and applications, behind a function URL with IAM auth (docs/wiring.md). */
const env = z
  .object({
    CASES_TABLE: z.string().min(1),
    DOSSIERS_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    REVIEW_TOKENS_TABLE: z.string().min(1),
    /** comma-separated role names whose sessions take executive steps */
    EXECUTIVE_ROLE_NAMES: z.string().min(1),
  })
  .parse(process.env);

const doc = documentClient();
const decide = makeDecideHandler(
  {
    cases: new DynamoCaseStore(doc, env.CASES_TABLE, env.REVIEW_TOKENS_TABLE),
    dossiers: new DynamoDossierStore(doc, env.DOSSIERS_TABLE, env.REVIEW_TOKENS_TABLE),
    audit: new DynamoAuditStore(doc, env.AUDIT_TABLE),
    callbacks: new SfnReviewCallbacks(new SFNClient({})),
  },
  env.EXECUTIVE_ROLE_NAMES.split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);

const tools = powertools();

export const handler = withPowertools(async (event: APIGatewayProxyEventV2WithIAMAuthorizer) => {
  const answer = await decide(event);
  tools.metrics.addMetric(
    answer.statusCode === 200 ? 'DecisionsSent' : 'DecisionsRefused',
    MetricUnit.Count,
    1,
  );
  return answer;
}, tools);
