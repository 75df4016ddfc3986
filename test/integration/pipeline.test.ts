import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainTap, type Tap, tapTopic } from '../../local/demo/taps.ts';
import type { NamedTemplate } from '../../local/template/cfn-template.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import {
  casesIn,
  checkAggregates,
  checkAudit,
  checkDeadLetter,
  checkEscalation,
  checkFindings,
  checkManifest,
  checkOnCall,
  checkQuarantine,
  customerStatus,
  type Observed,
} from './helpers/pipeline-checks.ts';
import { CUSTOMERS_CSV, DNO_TXT, type PipelineDay, pipelineDay } from './helpers/pipeline-day.ts';
import { dropBatches, loadReference } from './helpers/seed.ts';
import { copyTemplates, findResource, propertiesOf } from './helpers/template-copy.ts';
import { startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * Issue 4: the pipeline end to end through the local stack, started from the synthesized CDK
 * template (real handlers, DynamoDB Local, fauxqs, the Step Functions interpreter). A compact day of
 * CDR batches goes in (helpers/pipeline-day.ts); the checks (helpers/pipeline-checks.ts) look at
 * what came out: aggregates, manifest, quarantine, findings, on-call alerts, cases and executions,
 * the audit chain, and the unreadable batch in the ingest DLQ.
 *
 * A second stack starts from a copy of the template with three pieces of wiring broken on purpose
 * (a filter policy, a handler's event source, a redrive target) and must make exactly the matching
 * checks complain: that is what shows these checks would catch such a mistake in the real wiring.
 *
 * The only change to the real template for the main stack: the ingest queue's visibility timeout
 * (30 min in the template) is 3 s, so the unreadable batch reaches maxReceiveCount in seconds.
 */
const INGEST_VISIBILITY_S = 3;
const day: PipelineDay = pipelineDay();

interface Run {
  t: TestStack;
  observed: Observed;
}
let main: Run;
let broken: Run;

function withShortIngestVisibility(templates: NamedTemplate[]): NamedTemplate[] {
  const copy = copyTemplates(templates);
  const queue = findResource(copy, 'AWS::SQS::Queue', 'IngestQueue').resource;
  propertiesOf(queue).VisibilityTimeout = INGEST_VISIBILITY_S;
  return copy;
}

/** The three deliberate mistakes; each names the check that must catch it. */
function withBrokenWiring(templates: NamedTemplate[]): NamedTemplate[] {
  const copy = withShortIngestVisibility(templates);
  // filter policy: the EscalationQueue also takes medium findings (and forgets tracebacks)
  const escalation = findResource(copy, 'AWS::SNS::Subscription', 'EscalationQueue', 'ComplianceEvents');
  propertiesOf(escalation.resource).FilterPolicy = { severity_rank: [{ numeric: ['>=', 2] }] };
  // handler: the AuditQueue feeds the on-call notifier instead of the audit writer
  const auditSource = findResource(
    copy,
    'AWS::Lambda::EventSourceMapping',
    'WriteAuditFunction',
    'AuditQueue',
  );
  const notifier = findResource(copy, 'AWS::Lambda::Function', 'NotifyOnCallFunction');
  propertiesOf(auditSource.resource).FunctionName = { Ref: notifier.logicalId };
  // the notifier now gets each medium-and-up event from both queues at once; its idempotency fails the
  // copy that arrives while the first is in progress, and that copy must come back within the wait
  for (const name of ['AlertQueue', 'AuditQueue'])
    propertiesOf(findResource(copy, 'AWS::SQS::Queue', name).resource).VisibilityTimeout =
      INGEST_VISIBILITY_S;
  // redrive: the ingest queue's dead letters go to the AlertQueue's DLQ
  const ingest = findResource(copy, 'AWS::SQS::Queue', 'IngestQueue').resource;
  const alertDlq = findResource(copy, 'AWS::SQS::Queue', 'AlertQueueDlq');
  (
    ingest.Properties as { RedrivePolicy: { deadLetterTargetArn: unknown } }
  ).RedrivePolicy.deadLetterTargetArn = { 'Fn::GetAtt': [alertDlq.logicalId, 'Arn'] };
  return copy;
}

/** start, tap both topics, load reference data, drop the day and the poison batch, wait, collect */
async function runDay(prefix: string, template: NamedTemplate[]): Promise<Run> {
  const t = await startTestStack({ prefix, template });
  try {
    const events: Tap = await tapTopic(
      t.sqs,
      t.sns,
      'test-tap-compliance-events',
      t.stack.outputs.EventsTopicArn,
    );
    const onCall: Tap = await tapTopic(t.sqs, t.sns, 'test-tap-oncall', t.stack.outputs.OnCallTopicArn);
    await loadReference(t, CUSTOMERS_CSV, DNO_TXT);
    await dropBatches(t, [...day.batches, day.poison]);
    // idle means: every queue drained (the poison batch in its DLQ) and every execution parked
    // generous: in CI this file shares two cores with the other test files
    await t.stack.waitForIdle({ timeoutMs: 120_000 });
    return { t, observed: { events: await drainTap(t.sqs, events), onCall: await drainTap(t.sqs, onCall) } };
  } catch (error) {
    await t.stop();
    throw error;
  }
}

beforeAll(async () => {
  const templates = await synthesizeTemplate((await import('./helpers/test-stack.ts')).repoRoot);
  // both stacks at once: each spends most of its time waiting for the poison batch's redeliveries
  const [good, bad] = await Promise.allSettled([
    runDay('pipeline-e2e', withShortIngestVisibility(templates)),
    runDay('pipeline-broken', withBrokenWiring(templates)),
  ]);
  if (good.status === 'fulfilled') main = good.value;
  if (bad.status === 'fulfilled') broken = bad.value;
  if (good.status === 'rejected') throw good.reason;
  if (bad.status === 'rejected') throw bad.reason;
}, 240_000);

afterAll(async () => {
  await Promise.all([main?.t.stop(), broken?.t.stop()]);
});

describe('the pipeline through the local stack', () => {
  it('keeps per customer-hour aggregates equal to the calls dropped', async () => {
    expect(await checkAggregates(main.t, day)).toEqual([]);
  });

  it('records every batch in the manifest with rows = calls + quarantined', async () => {
    expect(await checkManifest(main.t, day)).toEqual([]);
  });

  it('writes a quarantine object beside the batch with bad rows, and only there', async () => {
    expect(await checkQuarantine(main.t, day)).toEqual([]);
  });

  it('publishes findings on ComplianceEvents: critical, medium and low customers, none for the quiet one', () => {
    expect(checkFindings(main.observed)).toEqual([]);
  });

  it('alerts on-call for medium and above only', () => {
    expect(checkOnCall(main.observed)).toEqual([]);
    expect(main.observed.onCall.some((m) => m.attributes.customer_id === 'C-LOW')).toBe(false);
  });

  it('opens a case only for the critical customer, starts its execution and suspends at once', async () => {
    expect(await checkEscalation(main.t, main.observed)).toEqual([]);
    const cases = await casesIn(main.t);
    expect(cases.map((c) => [c.customerId, c.severity])).toEqual([['C-ABUSE', 'critical']]);
    const execution = main.t.stack.stepFunctions
      .list(main.t.stack.outputs.StateMachineArn)
      .find((e) => e.name === cases[0].caseId);
    expect(execution?.status).toBe('RUNNING'); // parked on the analyst review
    expect(await customerStatus(main.t, 'C-ABUSE')).toBe('suspended');
    expect(await customerStatus(main.t, 'C-MED')).toBe('active');
    const enforcement = main.observed.events.filter((m) => m.attributes.type === 'enforcement');
    expect(enforcement.map((m) => JSON.parse(m.body).action)).toEqual(['suspend']);
  });

  it('appends every ComplianceEvents message to the audit chain', async () => {
    expect(await checkAudit(main.t, main.observed)).toEqual([]);
  });

  it('sends the unreadable batch to the ingest DLQ after maxReceiveCount receives', async () => {
    expect(await checkDeadLetter(main.t, day)).toEqual([]);
  });

  it('ran without glue errors other than the unreadable batch failing', () => {
    const unexpected = main.t.glueErrors.filter((e) => !String(e).includes('17-truncated.csv.gz'));
    expect(unexpected).toEqual([]);
  });
});

describe('broken wiring is detected by the same checks', () => {
  it('a wrong EscalationQueue filter policy opens a case for the medium customer', async () => {
    expect(await checkEscalation(broken.t, broken.observed)).toEqual([
      expect.stringMatching(/^escalation: cases for C-ABUSE, C-MED; high or critical findings for C-ABUSE$/),
    ]);
  });

  it('the AuditQueue wired to the wrong handler leaves the audit chain empty and pages on-call for everything', async () => {
    expect(await checkAudit(broken.t, broken.observed)).toEqual([
      expect.stringMatching(/^audit: 0 event records for \d+ ComplianceEvents messages/),
    ]);
    expect(checkOnCall(broken.observed)).toEqual([expect.stringMatching(/^on-call: alerts .*C-LOW\/low/)]);
  });

  it('a redrive to the wrong DLQ leaves the ingest DLQ empty', async () => {
    expect(await checkDeadLetter(broken.t, day)).toEqual([
      expect.stringMatching(/^dead letter: ingest DLQ holds \[\], expected/),
    ]);
  });

  it('while the parts that were not broken still pass', async () => {
    expect(await checkAggregates(broken.t, day)).toEqual([]);
    expect(await checkManifest(broken.t, day)).toEqual([]);
    expect(checkFindings(broken.observed)).toEqual([]);
  });
});
