import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DynamoAggregateStore } from '../../shared/aws/aggregate-store.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { documentClient } from '../../shared/aws/cases-clients.ts';
import { DynamoCustomerRegistry, DynamoTracebackHistory } from '../../shared/aws/cases-customers.ts';
import { SnsCaseNotifier } from '../../shared/aws/cases-notifier.ts';
import { SfnOnboardingStarter } from '../../shared/aws/onboarding-sfn.ts';
import { DynamoDossierStore, DynamoOnboardingRegistry } from '../../shared/aws/onboarding-store.ts';
import { startReverification } from '../../shared/kyc/reverification.ts';
import { TRACK_RECORD_POLICY } from '../../shared/kyc/track-record.ts';
import { activityFrom } from '../../shared/kyc/track-record-activity.ts';
import { runTrackRecordReview } from '../../shared/kyc/track-record-review.ts';
import { powertools, withPowertools } from '../powertools.ts';

/**
 * EventBridge schedule (daily): the track-record review of every customer onboarding registered,
 * terminated and suspended ones skipped (named in the answer and the log). Promotions and clock resets go to the registry ingest reads; proposals for `trusted` and
 * re-verifications are paged to the reviewers; every action is in the track-record audit chain.
 */
const env = z
  .object({
    CUSTOMERS_TABLE: z.string().min(1),
    AGGREGATES_TABLE: z.string().min(1),
    TRACEBACKS_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    ONCALL_TOPIC_ARN: z.string().min(1),
    DOSSIERS_TABLE: z.string().min(1),
    ONBOARDING_STATE_MACHINE_ARN: z.string().min(1),
  })
  .parse(process.env);

const DAY_MS = 86_400_000;
const doc = documentClient();
const aggregates = new DynamoAggregateStore(doc, env.AGGREGATES_TABLE);
const tracebacks = new DynamoTracebackHistory(doc, env.TRACEBACKS_TABLE);
const audit = new DynamoAuditStore(doc, env.AUDIT_TABLE);
const renewals = {
  dossiers: new DynamoDossierStore(doc, env.DOSSIERS_TABLE),
  starter: new SfnOnboardingStarter(new SFNClient({}), () => env.ONBOARDING_STATE_MACHINE_ARN),
  audit,
};
const tools = powertools();

export const handler = withPowertools(async () => {
  const now = Date.now();
  const { actions, skipped } = await runTrackRecordReview({
    registry: new DynamoOnboardingRegistry(doc, env.CUSTOMERS_TABLE),
    // a terminated or suspended customer is skipped: its status is the one the case workflow wrote
    customers: new DynamoCustomerRegistry(doc, env.CUSTOMERS_TABLE),
    // the longest record the policy weighs is the trusted period: older hours change no decision
    activity: async (customerId, since) => {
      const from = Math.max(Date.parse(since), now - TRACK_RECORD_POLICY.trustedAfterDays * DAY_MS);
      const hours = await aggregates.customerHours(customerId, from, now);
      return activityFrom(
        hours.map((h) => ({ hourMs: h.window.hourMs, attempts: h.window.attempts, sev: h.sev })),
        await tracebacks.forCustomer(customerId),
        Date.parse(since),
      );
    },
    // the review pages reviewers only; it sends no enforcement events
    notifier: new SnsCaseNotifier(new SNSClient({}), env.ONCALL_TOPIC_ARN, env.ONCALL_TOPIC_ARN),
    audit,
    // a customer due for re-verification goes through the onboarding checks and reviews again
    reverify: (customer) => startReverification(customer, renewals),
  });
  tools.metrics.addMetric('TrackRecordActions', MetricUnit.Count, actions.length);
  tools.logger.info('track-record review', {
    actions: actions.map((d) => ({ customerId: d.customerId, action: d.action.kind })),
    skipped: skipped.map((s) => ({ customerId: s.customerId, status: s.status })),
  });
  return {
    actions: actions.map((d) => ({ customer_id: d.customerId, action: d.action.kind, why: d.action.why })),
    skipped: skipped.map((s) => ({ customer_id: s.customerId, status: s.status, why: s.why })),
  };
}, tools);
