import { randomUUID } from 'node:crypto';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StateMachine as LocalStateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCaseStepHandler } from '../../functions/case-step/dispatch.ts';
import { Escalation } from '../../infra/constructs/escalation.ts';
import { auditStreams } from '../../shared/audit/append.ts';
import { verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditRecord } from '../../shared/audit/record.ts';
import type { EscalationEvent } from '../../shared/cases/events.ts';
import {
  InMemoryCaseStore,
  InMemoryCustomerRegistry,
  InMemoryTracebackHistory,
  RecordingNotifier,
} from '../../shared/cases/in-memory.ts';
import type { CustomerStatus, DecisionKind, ReviewStage } from '../../shared/cases/model.ts';
import type { ExecutionStarter } from '../../shared/cases/ports.ts';
import { approveReinstatement, ReinstatementRefused } from '../../shared/cases/reinstate.ts';
import { ReviewRefused, submitDecision } from '../../shared/cases/review.ts';
import { startOrAttachCase } from '../../shared/cases/start-case.ts';
import { CaseSteps } from '../../shared/cases/steps.ts';
import { assessApplication } from '../../shared/kyc/assess.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import {
  InMemoryDoNotOnboardList,
  InMemoryDossierStore,
  InMemoryOnboardingRegistry,
} from '../../shared/kyc/in-memory.ts';
import { SuspendedEntryOnStatusChange } from '../../shared/kyc/suspended-entry.ts';
import { DoNotOnboardOnTermination, TRACK_RECORD_STREAM } from '../../shared/kyc/track-record-review.ts';
import { CallbackBroker, resolveJoin, reviewer } from '../helpers/state-machine-harness.ts';
import { cleanApplication } from './kyc-fixtures.ts';

/**
 * Every path of the escalation workflow, run by executing the ASL that CDK synthesizes for the
 * Escalation construct. Each Lambda task runs the real case-step handler (in-memory ports); each
 * callback task records its token through that handler and then waits, as Step Functions does, until
 * a reviewer answers through the real review use case (the code behind `traceguard cases decide`).
 */

type Definition = { States: Record<string, Record<string, unknown>> } & Record<string, unknown>;
let definition: Definition;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'EscalationPaths', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new Key(stack, 'Key');
  const table = (id: string) =>
    new Table(stack, id, {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
  new Escalation(stack, 'Escalation', {
    key,
    eventsTopic: new Topic(stack, 'Events'),
    onCallTopic: new Topic(stack, 'OnCall'),
    escalationQueue: new Queue(stack, 'EscalationQueue', { visibilityTimeout: Duration.minutes(6) }),
    casesTable: table('Cases'),
    reviewTokensTable: table('ReviewTokens'),
    customersTable: table('Customers'),
    auditTable: table('Audit'),
    tracebacksTable: table('Tracebacks'),
    aggregatesTable: table('Aggregates'),
    manifestTable: table('Manifest'),
    cdrBucket: new Bucket(stack, 'Cdr'),
    accessLogBucket: new Bucket(stack, 'AccessLogs'),
    auditRetentionYears: 5,
  });
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  definition = JSON.parse(resolveJoin(machine.Properties.DefinitionString)) as Definition;
});

/** Fn::Join of literal strings and Fn::GetAtt [logicalId, Arn] -> a Lambda ARN named after the resource. */

class FlakyRegistry extends InMemoryCustomerRegistry {
  readonly failures: Error[] = [];
  override async setStatus(customerId: string, status: CustomerStatus, why: string): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.setStatus(customerId, status, why);
  }
}

const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Starts executions of the synthesized ASL, one per execution name, as StartExecution would. */
class LocalExecutionStarter implements ExecutionStarter {
  readonly executions = new Map<string, Promise<unknown>>();
  readonly #run: (input: unknown) => Promise<unknown>;
  constructor(run: (input: unknown) => Promise<unknown>) {
    this.#run = run;
  }
  async start(caseId: string, input: { caseId: string; customerId: string }): Promise<'started' | 'already'> {
    if (this.executions.has(caseId)) return 'already';
    const result = this.#run(input);
    result.catch(() => {}); // observed by the test through `executions`
    this.executions.set(caseId, result);
    return 'started';
  }
}

function harness(options: { patch?: (d: Definition) => void } = {}) {
  const cases = new InMemoryCaseStore();
  const customers = new FlakyRegistry([
    {
      customerId: 'C042',
      name: 'Acme Dialer LLC',
      vetting: 'new',
      onboardedAt: '2026-10-01T00:00:00Z',
      trafficProfile: 'call_center',
      status: 'active',
    },
  ]);
  const tracebacks = new InMemoryTracebackHistory();
  const notifier = new RecordingNotifier();
  const audit = new InMemoryAuditStore();
  const broker = new CallbackBroker();
  // C042 came in through onboarding: its dossier holds the identifiers a termination bars
  const dossiers = new InMemoryDossierStore();
  const acme = newDossier(
    cleanApplication({
      application_id: 'APP-ACME',
      legal_name: 'Acme Dialer LLC',
      id_number: '59-7654321',
      alternate_phone: '+13055550177',
    }),
    'sales-carol',
    new Date('2026-10-01T00:00:00Z'),
  );
  void dossiers.save({ ...acme, customerId: 'C042', status: 'activated' });
  const doNotOnboard = new InMemoryDoNotOnboardList();
  const stopped = { dossiers, registry: new InMemoryOnboardingRegistry(), doNotOnboard };
  const onTerminated = new DoNotOnboardOnTermination({ ...stopped, audit });
  // as the handlers wire it: every status enforcement writes keeps the suspended customer's entry
  const enforcing = new SuspendedEntryOnStatusChange(customers, { ...stopped, audit });
  const handler = makeCaseStepHandler(
    new CaseSteps({ cases, customers: enforcing, tracebacks, notifier, audit, onTerminated }),
  );

  const asl = structuredClone(definition);
  options.patch?.(asl);
  const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryNow: Record<string, number> = {};
  for (const [name, state] of Object.entries(asl.States)) {
    if (state.Type !== 'Task') continue;
    retryNow[name] = 0;
    overrides[name] =
      state.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken'
        ? async (input) => {
            const payload = (input as { Payload: { token: string } }).Payload;
            await handler(payload); // the Lambda stores the token and returns; the task then waits
            return broker.wait(payload.token);
          }
        : (input) => handler(input);
  }
  const machine = new LocalStateMachine(asl as never, { validationOptions: { checkArn: false } });
  const starter = new LocalExecutionStarter(
    (input) =>
      machine.run(input as never, {
        overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: retryNow },
        // every $$.Task.Token read hands out a fresh token, as Step Functions does per task
        context: {
          Task: {
            get Token() {
              return randomUUID();
            },
          },
        },
      }).result,
  );

  return {
    cases,
    customers,
    notifier,
    audit,
    doNotOnboard,
    broker,
    starter,
    async open(event: EscalationEvent) {
      return startOrAttachCase(event, { cases, starter, audit, customers: enforcing, notifier });
    },
    async waitForStage(caseId: string, stage: ReviewStage) {
      for (let i = 0; i < 600; i++) {
        const record = await cases.get(caseId);
        if (
          record?.status === 'awaiting_review' &&
          record.awaitingStage === stage &&
          (await cases.getToken(caseId, stage))
        ) {
          return record;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`case ${caseId} never waited for the ${stage} review`);
    },
    async decide(caseId: string, stage: ReviewStage, decision: DecisionKind, decidedBy: string) {
      await this.waitForStage(caseId, stage);
      return submitDecision(
        {
          caseId,
          decision,
          reason: `${decision}: reviewed the evidence`,
          caller: reviewer(decidedBy, stage === 'analyst' ? 'analyst' : 'executive'),
        },
        { cases, callbacks: broker, audit },
      );
    },
    execution(caseId: string) {
      const run = starter.executions.get(caseId);
      if (!run) throw new Error(`no execution named ${caseId}`);
      return run;
    },
    /** the second person's approval of the reinstatement waiting (traceguard customers reinstate --approve) */
    approveReinstatement(approvedBy: string) {
      return approveReinstatement(
        { customerId: 'C042', approvedBy },
        { customers: enforcing, cases, notifier, audit },
      );
    },
    async customerActions() {
      const records = (await audit.list(auditStreams.forCustomer('C042'))) as AuditRecord[];
      expect(verifyChain(auditStreams.forCustomer('C042'), records)).toMatchObject({ ok: true });
      return records.map((r) => [r.action, r.actor.id]);
    },
    async auditActions(caseId: string) {
      const records = (await audit.list(`case#${caseId}`)) as AuditRecord[];
      expect(verifyChain(`case#${caseId}`, records)).toMatchObject({ ok: true });
      return records.map((r) => r.action);
    },
  };
}

const finding = (overrides: Partial<Record<string, unknown>> = {}): EscalationEvent =>
  ({
    type: 'finding',
    customer_id: 'C042',
    window_start: '2026-11-27T16:00:00Z',
    window_end: '2026-11-27T17:00:00Z',
    severity: 'high',
    score: 87,
    reasons: [
      { code: 'SHORT_CALL_RATIO', observed: 0.81, threshold: 0.2, detail: '81% of 4,210 calls under 6 s' },
    ],
    metrics: { calls: 4210, answered: 900 },
    batch: 'cdr/sbc-east-1/2026/11/27/16.csv.gz',
    example_calls: [{ call_id: 'a1', calling_number: '+12025550143', attestation: 'C' }],
    ...overrides,
  }) as EscalationEvent;

const criticalFinding = () =>
  finding({
    severity: 'critical',
    score: 97,
    reasons: [
      { code: 'DNO_CALLING_NUMBER', observed: 0.4, threshold: 0, detail: '1,684 calls from DNO numbers' },
    ],
  });

describe('escalation state machine (synthesized ASL, real case-step handler)', () => {
  it('names its states in words', () => {
    expect(Object.keys(definition.States)).toEqual(
      expect.arrayContaining([
        'Gather evidence',
        'Suspend at once (critical)',
        'Notify on-call',
        'Wait for analyst review',
        'Wait for executive approval of termination',
        'Alert on-call about failed step',
      ]),
    );
  });

  it('dismiss: closes the case and leaves the customer as it was', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'dismiss', 'alice');
    await expect(h.execution(caseId)).resolves.toBeDefined();
    expect((await h.customers.get('C042'))?.status).toBe('active');
    expect(h.notifier.enforcement).toEqual([]);
    expect(await h.cases.get(caseId)).toMatchObject({ status: 'closed', outcome: 'dismiss' });
    expect(h.cases.openByCustomer.has('C042')).toBe(false);
    expect(await h.auditActions(caseId)).toEqual([
      'case.opened',
      'case.evidence_gathered',
      'notify.opened',
      'review.requested',
      'decision.analyst',
      'case.dismissed',
      'case.closed',
    ]);
    // the on-call notice names case and reasons, never a phone number in clear
    expect(h.notifier.onCall[0].text).toContain('SHORT_CALL_RATIO');
    expect(JSON.stringify(h.notifier.onCall)).not.toContain('5550143');
  });

  it('warn: marks the customer warned and publishes an enforcement event', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'warn', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    expect(h.notifier.enforcement).toMatchObject([
      { action: 'warn', status: 'warned', decided_by: ['alice'] },
    ]);
  });

  it('critical: suspends at once, before anyone reviews; the analyst then confirms the suspension', async () => {
    const h = harness();
    const { caseId } = await h.open(criticalFinding());
    const waiting = await h.waitForStage(caseId, 'analyst');
    expect(waiting.critical?.critical).toBe(true);
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(h.notifier.onCall[0].text).toMatch(/suspended at once/);
    await h.decide(caseId, 'analyst', 'suspend', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(h.notifier.enforcement.map((e) => e.action)).toEqual(['suspend', 'suspend']);
  });

  it('a case its evidence makes critical (a high finding scored past the critical line) is listed as critical', async () => {
    const h = harness();
    const { caseId } = await h.open(finding({ score: 95 }));
    const waiting = await h.waitForStage(caseId, 'analyst');
    expect(waiting).toMatchObject({ severity: 'critical', critical: { critical: true } });
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(h.notifier.onCall[0].subject).toMatch(/needs review/);
    expect(h.notifier.onCall[0].text).toMatch(/severity critical/);
    expect(await h.auditActions(caseId)).toEqual(
      expect.arrayContaining([
        'case.evidence_gathered',
        'case.severity_raised',
        'customer.suspended_at_once',
      ]),
    );
  });

  it('a dismissal of a case that suspended its customer at once keeps the suspension until a second person approves lifting it', async () => {
    const h = harness();
    await h.customers.setStatus('C042', 'warned', 'earlier case');
    const { caseId } = await h.open(criticalFinding());
    await h.decide(caseId, 'analyst', 'dismiss', 'alice');
    await h.execution(caseId);
    // the case is closed on alice's word; the suspension is not lifted on it
    expect(await h.cases.get(caseId)).toMatchObject({ status: 'closed', outcome: 'dismiss' });
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(h.notifier.enforcement.map((e) => e.action)).toEqual(['suspend']);
    expect(await h.auditActions(caseId)).toEqual(
      expect.arrayContaining(['decision.analyst', 'customer.suspension_kept', 'case.closed']),
    );
    expect(await h.auditActions(caseId)).not.toContain('customer.reinstated');
    // the dismissal is alice's request to restore the status the customer had: she cannot approve it
    expect(await h.customerActions()).toEqual([['customer.reinstatement_requested', 'alice']]);
    await expect(h.approveReinstatement('Alice')).rejects.toThrow(ReinstatementRefused);
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    // a second person does: the status before the suspension is back
    await expect(h.approveReinstatement('carol')).resolves.toEqual({
      before: 'suspended',
      status: 'warned',
      requestedBy: 'alice',
    });
    expect(h.customers.changes.map((c) => c.status)).toEqual(['warned', 'suspended', 'warned']);
    expect(h.notifier.enforcement.at(-1)).toMatchObject({
      action: 'reinstate',
      status: 'warned',
      case_id: caseId,
      decided_by: ['alice', 'carol'],
    });
    expect(await h.customerActions()).toEqual([
      ['customer.reinstatement_requested', 'alice'],
      ['customer.reinstated', 'carol'],
    ]);
  });

  it('a warning of a customer suspended at once keeps the suspension until a second person approves the warning', async () => {
    const h = harness();
    const { caseId } = await h.open(criticalFinding());
    await h.decide(caseId, 'analyst', 'warn', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(h.notifier.enforcement.map((e) => e.action)).toEqual(['suspend']);
    expect(await h.auditActions(caseId)).toContain('customer.suspension_kept');
    await h.approveReinstatement('carol');
    expect((await h.customers.get('C042'))?.status).toBe('warned');
  });

  it('a critical case of a terminated customer neither suspends nor, dismissed, reinstates it; the termination keeps its reason', async () => {
    const h = harness();
    await h.customers.setStatus('C042', 'terminated', 'case C042-F-1: terminated, executive approved');
    const { caseId } = await h.open(criticalFinding());
    await h.decide(caseId, 'analyst', 'dismiss', 'carol');
    await h.execution(caseId);
    // switch provisioning hears nothing: no suspend, and above all no reinstate
    expect(h.notifier.enforcement).toEqual([]);
    expect(h.customers.changes.map((c) => c.status)).toEqual(['terminated']);
    expect(await h.customers.get('C042')).toMatchObject({
      status: 'terminated',
      statusReason: 'case C042-F-1: terminated, executive approved',
    });
    expect(await h.auditActions(caseId)).toContain('customer.termination_kept');
    expect(await h.auditActions(caseId)).not.toContain('customer.suspended_at_once');
    // on-call still hears of the critical case, told the customer is terminated
    expect(h.notifier.onCall[0].text).toContain('Customer terminated already, nothing suspended: ');
  });

  it('a case that suspended its customer, dismissed after another case terminated it, leaves the termination', async () => {
    const h = harness();
    const { caseId } = await h.open(criticalFinding());
    await h.waitForStage(caseId, 'analyst');
    await h.customers.setStatus('C042', 'terminated', 'another case, executive approved');
    await h.decide(caseId, 'analyst', 'dismiss', 'carol');
    await h.execution(caseId);
    expect(h.notifier.enforcement.map((e) => e.action)).toEqual(['suspend']);
    expect(await h.customers.get('C042')).toMatchObject({
      status: 'terminated',
      statusReason: 'another case, executive approved',
    });
    expect(await h.auditActions(caseId)).toContain('customer.termination_kept');
  });

  it('a critical finding joining the open case of a terminated customer marks the case critical and pages once, suspending nothing', async () => {
    const h = harness();
    await h.customers.setStatus('C042', 'terminated', 'earlier case, executive approved');
    const { caseId } = await h.open(finding());
    await h.waitForStage(caseId, 'analyst');
    const later = criticalFinding();
    (later as { window_start: string }).window_start = '2026-11-27T18:00:00Z';
    await expect(h.open(later)).resolves.toMatchObject({ outcome: 'attached', caseId });
    expect(await h.cases.get(caseId)).toMatchObject({
      critical: { critical: true },
      statusBeforeSuspension: null,
    });
    expect(h.notifier.enforcement).toEqual([]);
    expect(h.notifier.onCall.at(-1)?.subject).toMatch(/critical for customer C042, terminated already/);
    const pages = h.notifier.onCall.length;
    await h.open(later);
    expect(h.notifier.onCall).toHaveLength(pages);
    expect((await h.customers.get('C042'))?.statusReason).toBe('earlier case, executive approved');
  });

  it('a critical finding joining a case already under review suspends at once; a dismissal a second person approves restores the status', async () => {
    const h = harness();
    await h.customers.setStatus('C042', 'warned', 'earlier case');
    const { caseId } = await h.open(finding());
    await h.waitForStage(caseId, 'analyst');
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    const later = criticalFinding();
    (later as { window_start: string }).window_start = '2026-11-27T18:00:00Z';
    await expect(h.open(later)).resolves.toMatchObject({ outcome: 'attached', caseId });
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    const record = await h.cases.get(caseId);
    expect(record).toMatchObject({ severity: 'critical', statusBeforeSuspension: 'warned' });
    expect(record?.critical?.why.join()).toMatch(/joined the case at severity critical/);
    expect(h.notifier.enforcement).toMatchObject([
      { action: 'suspend', status: 'suspended', case_id: caseId },
    ]);
    expect(h.notifier.onCall.at(-1)?.subject).toMatch(/customer C042 suspended at once/);
    // a redelivery of the same event suspends nothing twice
    await h.open(later);
    expect(h.notifier.enforcement).toHaveLength(1);
    await h.decide(caseId, 'analyst', 'dismiss', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    await h.approveReinstatement('carol');
    expect(h.customers.changes.map((c) => c.status)).toEqual(['warned', 'suspended', 'warned']);
    expect(await h.auditActions(caseId)).toEqual(
      expect.arrayContaining([
        'case.severity_raised',
        'customer.suspended_at_once',
        'customer.suspension_kept',
      ]),
    );
  });

  it('a crash between remembering the status and suspending: the redelivery finishes the suspension, once', async () => {
    const h = harness();
    await h.customers.setStatus('C042', 'warned', 'earlier case');
    const { caseId } = await h.open(finding());
    await h.waitForStage(caseId, 'analyst');
    const later = criticalFinding();
    (later as { window_start: string }).window_start = '2026-11-27T18:00:00Z';
    // the invocation dies after the case keeps the status before, before the customer's status is set
    h.customers.failures.push(new Error('Customers table: connection reset'));
    await expect(h.open(later)).rejects.toThrow(/connection reset/);
    expect(await h.cases.get(caseId)).toMatchObject({ statusBeforeSuspension: 'warned' });
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    // the queue delivers the message again
    await expect(h.open(later)).resolves.toMatchObject({ outcome: 'attached', caseId });
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    expect(await h.cases.get(caseId)).toMatchObject({ statusBeforeSuspension: 'warned' });
    expect((await h.cases.get(caseId))?.critical?.why).toHaveLength(1);
    expect((await h.doNotOnboard.list()).map((e) => e.entry_id)).toEqual(['suspended#C042']);
    // and once more: nothing is repeated once the suspension is done
    await h.open(later);
    expect(h.notifier.enforcement).toMatchObject([{ action: 'suspend', status: 'suspended' }]);
    expect(h.notifier.onCall.filter((m) => /suspended at once/.test(m.subject))).toHaveLength(1);
    const actions = await h.auditActions(caseId);
    expect(actions.filter((a) => a === 'customer.suspended_at_once')).toHaveLength(1);
    // a dismissal, approved by a second person, restores the status the customer had before, not 'suspended'
    await h.decide(caseId, 'analyst', 'dismiss', 'alice');
    await h.execution(caseId);
    await h.approveReinstatement('carol');
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    expect(await h.doNotOnboard.list()).toEqual([]);
  });

  it('a later case of a terminated customer decided warn or suspend by one analyst keeps the termination', async () => {
    for (const decision of ['warn', 'suspend'] as const) {
      const h = harness();
      await h.customers.setStatus('C042', 'terminated', 'earlier case, executive approved');
      const { caseId } = await h.open(finding());
      await h.decide(caseId, 'analyst', decision, 'dave');
      await h.execution(caseId);
      expect((await h.customers.get('C042'))?.status, decision).toBe('terminated');
      expect(
        h.notifier.enforcement.filter((e) => e.action === decision),
        decision,
      ).toEqual([]);
      expect(await h.auditActions(caseId), decision).toContain('customer.termination_kept');
    }
  });

  it('terminate: the analyst recommends, a different executive approves, the customer is terminated', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'terminate', 'alice');
    // a recommendation is not enforced
    await h.waitForStage(caseId, 'executive');
    expect((await h.customers.get('C042'))?.status).toBe('active');
    await h.decide(caseId, 'executive', 'terminate', 'bob');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('terminated');
    expect(h.notifier.enforcement).toMatchObject([{ action: 'terminate', decided_by: ['alice', 'bob'] }]);
    const records = (await h.audit.list(`case#${caseId}`)) as AuditRecord[];
    expect(records.filter((r) => r.action.startsWith('decision.')).map((r) => [r.action, r.actor])).toEqual([
      ['decision.analyst', { role: 'analyst', id: 'alice' }],
      ['decision.executive', { role: 'executive', id: 'bob' }],
    ]);
  });

  it("an executive declining a recommended termination decides alone: the record names the executive, and keeps the analyst's recommendation as one", async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'terminate', 'alice');
    await h.decide(caseId, 'executive', 'suspend', 'bob');
    await h.execution(caseId);
    expect(await h.cases.get(caseId)).toMatchObject({ status: 'closed', outcome: 'suspend' });
    expect((await h.customers.get('C042'))?.status).toBe('suspended');
    // alice recommended termination, not this suspension
    expect(h.notifier.enforcement).toMatchObject([{ action: 'suspend', decided_by: ['bob'] }]);
    const records = (await h.audit.list(`case#${caseId}`)) as AuditRecord[];
    expect(records.find((r) => r.action === 'decision.executive')).toMatchObject({
      actor: { role: 'executive', id: 'bob' },
      details: {
        decision: 'suspend',
        declines: 'terminate',
        recommendation: { decision: 'terminate', by: 'alice' },
      },
    });
    expect(records.find((r) => r.action === 'customer.suspended')?.details).toEqual({
      decidedBy: ['bob'],
      declinedRecommendation: { decision: 'terminate', by: 'alice' },
    });
    // an approval names both: alice's recommendation and bob's approval decided the termination
    const approved = harness();
    const second = await approved.open(finding());
    await approved.decide(second.caseId, 'analyst', 'terminate', 'alice');
    await approved.decide(second.caseId, 'executive', 'terminate', 'bob');
    await approved.execution(second.caseId);
    const terminated = (await approved.audit.list(`case#${second.caseId}`)) as AuditRecord[];
    expect(terminated.find((r) => r.action === 'decision.executive')?.details).toMatchObject({
      approves: 'terminate',
      recommendation: { decision: 'terminate', by: 'alice' },
    });
    expect(terminated.find((r) => r.action === 'customer.terminated')?.details).toEqual({
      decidedBy: ['alice', 'bob'],
    });
  });

  it('terminate: the customer joins the do-not-onboard list; re-applying under a new name is high risk', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    expect(await h.doNotOnboard.list()).toEqual([]);
    await h.decide(caseId, 'analyst', 'terminate', 'alice');
    await h.decide(caseId, 'executive', 'terminate', 'bob');
    await h.execution(caseId);
    const [entry] = await h.doNotOnboard.list();
    expect(entry).toMatchObject({
      entry_id: 'terminated#C042',
      source: 'terminated',
      customer_id: 'C042',
      names: ['Acme Dialer LLC'],
      id_number: '59-7654321',
    });
    expect(entry.reason).toContain(caseId);
    const added = (await h.audit.list(TRACK_RECORD_STREAM)) as AuditRecord[];
    expect(added.map((r) => [r.action, r.customerId])).toEqual([['do_not_onboard.added', 'C042']]);
    // the same business comes back as "Sunrise Outreach Inc." with the same EIN
    const again = assessApplication(
      cleanApplication({
        application_id: 'APP-2',
        legal_name: 'Sunrise Outreach Inc.',
        id_number: '59-7654321',
      }),
      {
        doNotOnboard: await h.doNotOnboard.list(),
        rmd: () => null,
        dno: new Set(),
        holders: () => [],
        customers: [],
      },
    );
    expect(again.risk).toBe('high');
    expect(again.reasons).toContainEqual(expect.objectContaining({ code: 'PRIOR_ID_NUMBER', risk: 'high' }));
    expect(JSON.stringify(again.reasons)).toContain('C042');
  });

  it('a warning does not touch the do-not-onboard list', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'warn', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    expect(await h.doNotOnboard.list()).toEqual([]);
  });

  it('suspend: the customer is compared with applicants while suspended; a later termination leaves one entry', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'suspend', 'alice');
    await h.execution(caseId);
    const since = (await h.customers.get('C042'))?.statusChangedAt;
    expect(await h.doNotOnboard.list()).toMatchObject([
      {
        entry_id: 'suspended#C042',
        source: 'suspended',
        customer_id: 'C042',
        added_at: since,
        reason: expect.stringContaining(caseId),
        names: ['Acme Dialer LLC'],
        id_number: '59-7654321',
      },
    ]);
    const later = finding({ window_start: '2026-11-28T16:00:00Z', window_end: '2026-11-28T17:00:00Z' });
    const second = await h.open(later);
    await h.decide(second.caseId, 'analyst', 'terminate', 'alice');
    await h.decide(second.caseId, 'executive', 'terminate', 'bob');
    await h.execution(second.caseId);
    expect((await h.doNotOnboard.list()).map((e) => e.entry_id)).toEqual(['terminated#C042']);
  });

  it('a critical event suspending at once lists the customer; the approved dismissal that restores its status unlists it', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.waitForStage(caseId, 'analyst');
    const later = criticalFinding();
    (later as { window_start: string }).window_start = '2026-11-27T18:00:00Z';
    await h.open(later);
    expect((await h.doNotOnboard.list()).map((e) => e.entry_id)).toEqual(['suspended#C042']);
    await h.decide(caseId, 'analyst', 'dismiss', 'alice');
    await h.execution(caseId);
    expect((await h.doNotOnboard.list()).map((e) => e.entry_id)).toEqual(['suspended#C042']);
    await h.approveReinstatement('carol');
    expect((await h.customers.get('C042'))?.status).toBe('active');
    expect(await h.doNotOnboard.list()).toEqual([]);
  });

  it('approval by the same person is refused, by the CLI and by the state machine itself', async () => {
    const h = harness();
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'terminate', 'alice');
    await h.waitForStage(caseId, 'executive');
    await expect(h.decide(caseId, 'executive', 'terminate', 'Alice')).rejects.toThrow(ReviewRefused);

    // someone holding the token answers directly, bypassing the CLI: the machine refuses too
    const token = (await h.cases.getToken(caseId, 'executive')) as string;
    await h.broker.succeed(token, {
      decision: 'terminate',
      reason: 'approving my own recommendation',
      decidedBy: 'alice',
    });
    await h.waitForStage(caseId, 'executive').then(async () => {
      for (let i = 0; i < 200 && (await h.cases.getToken(caseId, 'executive')) === token; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    expect((await h.customers.get('C042'))?.status).toBe('active');
    // the CLI's refusal is on the record too, as the machine's is
    expect((await h.cases.get(caseId))?.refusals).toMatchObject([
      { stage: 'executive', by: 'Alice' },
      { stage: 'executive', by: 'alice' },
    ]);
    expect(h.notifier.onCall.map((m) => m.subject)).toContainEqual(
      expect.stringMatching(/decision was refused/),
    );

    await h.decide(caseId, 'executive', 'terminate', 'bob');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('terminated');
    expect((await h.auditActions(caseId)).filter((a) => a === 'decision.refused')).toHaveLength(2);
  });

  it('review timeout: escalates to the executive, re-notifies, and the escalated review decides', async () => {
    const h = harness({
      patch: (asl) => {
        asl.States['Wait for analyst review'].TimeoutSeconds = 1;
      },
    });
    const { caseId } = await h.open(finding());
    await h.waitForStage(caseId, 'analyst');
    // nobody answers: one second later the machine escalates
    await h.decide(caseId, 'escalated', 'warn', 'carol');
    await h.execution(caseId);
    expect(h.notifier.onCall.map((m) => m.subject)).toContainEqual(expect.stringMatching(/^OVERDUE/));
    expect((await h.customers.get('C042'))?.status).toBe('warned');
    expect(await h.auditActions(caseId)).toEqual(
      expect.arrayContaining(['notify.reviewOverdue', 'decision.escalated']),
    );
  });

  it('step failure: alerts on-call, marks the case failed and frees the customer for a new case', async () => {
    const h = harness();
    h.customers.failures.push(
      namedError('AccessDeniedException', 'not authorized to perform dynamodb:UpdateItem'),
    );
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'suspend', 'alice');
    await expect(h.execution(caseId)).rejects.toThrow(/failed because of a Fail state/);
    expect(h.notifier.onCall.at(-1)?.subject).toMatch(/stopped: AccessDeniedException/);
    expect(await h.cases.get(caseId)).toMatchObject({
      status: 'failed',
      failure: { error: 'AccessDeniedException' },
    });
    expect(h.cases.openByCustomer.has('C042')).toBe(false);
    expect(await h.auditActions(caseId)).toContain('case.failed');
  });

  it('a transient error is retried and the case goes on', async () => {
    const h = harness();
    h.customers.failures.push(namedError('ThrottlingException', 'Rate exceeded'));
    const { caseId } = await h.open(finding());
    await h.decide(caseId, 'analyst', 'warn', 'alice');
    await h.execution(caseId);
    expect((await h.customers.get('C042'))?.status).toBe('warned');
  });

  it('one open case per customer: new events attach, a redelivered message starts nothing new', async () => {
    const h = harness();
    const first = await h.open(finding());
    const redelivered = await h.open(finding());
    const tb = await h.open({
      type: 'traceback',
      traceback_id: 'ITG-2026-001234',
      customer_id: 'C042',
      repeat_count: 1,
      severity: 'high',
    } as EscalationEvent);
    const tbAgain = await h.open({
      type: 'traceback',
      traceback_id: 'ITG-2026-001234',
      customer_id: 'C042',
      repeat_count: 1,
      severity: 'high',
    } as EscalationEvent);
    expect(redelivered).toEqual({ outcome: 'started', caseId: first.caseId });
    expect(tb).toEqual({ outcome: 'attached', caseId: first.caseId, duplicate: false });
    expect(tbAgain).toEqual({ outcome: 'attached', caseId: first.caseId, duplicate: true });
    expect(h.starter.executions.size).toBe(1);
    expect((await h.cases.get(first.caseId))?.triggers).toHaveLength(2);
    await h.decide(first.caseId, 'analyst', 'dismiss', 'alice');
    await h.execution(first.caseId);
    expect(await h.auditActions(first.caseId)).toContain('case.attached');
  });
});
