import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StateMachine as LocalStateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeOnboardingStepHandler } from '../../functions/onboarding-step/dispatch.ts';
import { Onboarding } from '../../infra/constructs/onboarding.ts';
import { verifyChain } from '../../shared/audit/chain.ts';
import { InMemoryAuditStore } from '../../shared/audit/in-memory.ts';
import type { AuditRecord } from '../../shared/audit/record.ts';
import { InMemoryCustomerRegistry, RecordingNotifier } from '../../shared/cases/in-memory.ts';
import { onboardingStream, type ReviewStage } from '../../shared/kyc/dossier.ts';
import {
  InMemoryCheckSources,
  InMemoryDoNotOnboardList,
  InMemoryDossierStore,
  InMemoryOnboardingRegistry,
  InMemoryRmdStore,
} from '../../shared/kyc/in-memory.ts';
import { ApplicationRefused, decideApplication, submitApplication } from '../../shared/kyc/intake.ts';
import { OnboardingSteps } from '../../shared/kyc/onboarding-steps.ts';
import type { OnboardingStarter } from '../../shared/kyc/ports.ts';
import { CallbackBroker, resolveJoin, reviewer } from '../helpers/state-machine-harness.ts';
import { cleanApplication, terminatedAcme } from './kyc-fixtures.ts';

/**
 * Every path of the onboarding workflow, run by executing the ASL that CDK synthesizes for the
 * Onboarding construct in the local Step Functions interpreter. Each Lambda task runs the real
 * onboarding-step handler on in-memory ports; each review task records its token and waits until a
 * reviewer answers through the same use case `traceguard customers decide` calls.
 */
type Definition = { States: Record<string, Record<string, unknown>> } & Record<string, unknown>;
let definition: Definition;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'OnboardingPaths', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = (id: string) =>
    new Table(stack, id, {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
  new Onboarding(stack, 'Onboarding', {
    key: new Key(stack, 'Key'),
    onCallTopic: new Topic(stack, 'OnCall'),
    customersTable: table('Customers'),
    auditTable: table('Audit'),
    reviewTokensTable: table('ReviewTokens'),
    referenceBucket: new Bucket(stack, 'Reference'),
  });
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  definition = JSON.parse(resolveJoin(machine.Properties.DefinitionString)) as Definition;
});

class FlakyRegistry extends InMemoryOnboardingRegistry {
  readonly failures: Error[] = [];
  override async put(...args: Parameters<InMemoryOnboardingRegistry['put']>): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.put(...args);
  }
}

function harness(options: { patch?: (d: Definition) => void } = {}) {
  const dossiers = new InMemoryDossierStore();
  const registry = new FlakyRegistry();
  const audit = new InMemoryAuditStore();
  const notifier = new RecordingNotifier();
  // the customer store enforcement writes (in AWS, the same Customers rows as the registry)
  const customers = new InMemoryCustomerRegistry();
  const broker = new CallbackBroker();
  const sources = new InMemoryCheckSources({
    doNotOnboard: new InMemoryDoNotOnboardList([terminatedAcme]),
    rmd: new InMemoryRmdStore(),
    onFile: { registry, dossiers },
  });
  const handler = makeOnboardingStepHandler(
    new OnboardingSteps({ dossiers, sources, registry, customers, notifier, audit }),
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
            await handler(payload);
            return broker.wait(payload.token);
          }
        : (input) => handler(input);
  }
  const machine = new LocalStateMachine(asl as never, { validationOptions: { checkArn: false } });
  const executions = new Map<string, Promise<unknown>>();
  const starter: OnboardingStarter = {
    async start(applicationId) {
      if (executions.has(applicationId)) return 'already';
      const run = machine.run({ applicationId } as never, {
        overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: retryNow },
        context: {
          Task: {
            get Token() {
              return randomUUID();
            },
          },
        },
      }).result;
      run.catch(() => {});
      executions.set(applicationId, run);
      return 'started';
    },
  };
  return {
    dossiers,
    registry,
    customers,
    audit,
    notifier,
    broker,
    submit: (overrides: Record<string, unknown> = {}) =>
      submitApplication(cleanApplication(overrides), 'sales@carrier', 'test', { dossiers, starter, audit }),
    async waitForStage(id: string, stage: ReviewStage) {
      for (let i = 0; i < 600; i++) {
        const d = await dossiers.get(id);
        if (
          d?.status === 'awaiting_review' &&
          d.awaitingStage === stage &&
          (await dossiers.getToken(id, stage))
        )
          return d;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`application ${id} never waited for the ${stage} review`);
    },
    async decide(id: string, stage: ReviewStage, decision: 'approve' | 'refuse', by: string) {
      await this.waitForStage(id, stage);
      return decideApplication(
        {
          applicationId: id,
          decision,
          reason: `${decision}: checked the dossier and its evidence`,
          caller: reviewer(by, stage),
        },
        { dossiers, callbacks: broker, audit },
      );
    },
    execution: (id: string) => executions.get(id) as Promise<unknown>,
    async actions(id: string) {
      const records = (await audit.list(onboardingStream(id))) as AuditRecord[];
      expect(verifyChain(onboardingStream(id), records)).toMatchObject({ ok: true });
      return records.map((r) => r.action);
    },
  };
}

const LOOKALIKE = {
  application_id: 'APP-LOOK',
  legal_name: 'Sunrise Outreach Partners',
  id_number: '59 7654321',
};
/** C042's registry profile, activated a year ago; what a renewal would overwrite. */
const C042_PROFILE = {
  customer_id: 'C042',
  name: 'Acme Dialer',
  onboarded_at: '2025-10-01T00:00:00.000Z',
  vetting: 'standard' as const,
  traffic_profile: 'dialer' as const,
  declared_peak_per_hour: 500,
  declared_ip_ranges: ['198.51.100.0/28'],
  declared_numbers: ['+13055550100'],
  provider: false,
  tier_since: '2026-01-01T00:00:00.000Z',
  verified_at: '2025-10-01T00:00:00.000Z',
};
const RENEW_C042 = { application_id: 'REVERIFY-2025-10-01-C042', renewing_customer_id: 'C042' };

const MARKETER = {
  application_id: 'APP-MKT',
  intended_use: ['marketing'],
  expected_volume: { calls_per_day: 40_000, peak_per_hour: 5_000 },
  originating_ips: ['203.0.113.0/26'],
};

describe('onboarding state machine (synthesized definition, local interpreter)', () => {
  it('names its states in words and bounds every review with a timeout', () => {
    const waits = Object.entries(definition.States).filter(([, s]) =>
      String(s.Resource).endsWith('waitForTaskToken'),
    );
    expect(waits.map(([name]) => name).sort()).toEqual([
      'Wait for analyst review of the application',
      'Wait for executive approval of the application',
    ]);
    for (const [, state] of waits) expect(state.TimeoutSeconds).toBe(7 * 86_400);
  });

  it('clean, low risk: the analyst approves and the customer is activated as new', async () => {
    const h = harness();
    await h.submit();
    await h.decide('APP-1', 'analyst', 'approve', 'alice');
    await h.execution('APP-1');
    expect(await h.registry.get('APP-1')).toMatchObject({
      vetting: 'new',
      traffic_profile: 'notifications',
      // what it declared is what detection holds it to (VOLUME_ABOVE_DECLARED, UNDECLARED_SOURCE_IP,
      // UNDECLARED_CALLING_NUMBER)
      declared_peak_per_hour: 60,
      declared_ip_ranges: ['203.0.113.10'],
      declared_numbers: ['+12064301100'],
      // not a provider: every rule judges its calls
      provider: false,
    });
    expect((await h.dossiers.get('APP-1'))?.outcome).toMatchObject({ result: 'activated' });
    expect(await h.actions('APP-1')).toEqual([
      'onboarding.submitted',
      'onboarding.checked',
      'onboarding.review_requested',
      'onboarding.decision.analyst',
      'onboarding.activated',
    ]);
  });

  it('the same business applying again under another application id is flagged against the active customer; its renewal is not', async () => {
    const h = harness();
    await h.submit();
    await h.decide('APP-1', 'analyst', 'approve', 'alice');
    await h.execution('APP-1');

    // the same application, only its id changed: a second account of an active customer
    await h.submit({ application_id: 'T-CLEAN2' });
    const again = await h.waitForStage('T-CLEAN2', 'analyst');
    expect(again.assessment?.risk).toBe('medium');
    expect(again.assessment?.reasons.map((r) => [r.code, r.risk, r.evidence])).toEqual([
      [
        'SAME_IDENTIFIERS_AS_CUSTOMER',
        'medium',
        {
          customer_id: 'APP-1',
          status: 'active',
          matched: ['id_number', 'address', 'alternate_phone', 'ip_range', 'telephone_number', 'name'],
        },
      ],
      [
        'NUMBER_HELD_BY_OTHER',
        'medium',
        { number: '***1100', held_by: [], declared_by: ['APP-1'], loa_reference: 'LOA-HD-2026-01' },
      ],
    ]);
    expect(again.assessment?.reasons[1].detail).toBe(
      'telephone number ***1100 was declared by customer APP-1 when onboarded',
    );
    expect(h.notifier.onCall.at(-1)?.text).toMatch(
      /SAME_IDENTIFIERS_AS_CUSTOMER: same government ID number \(\*\*\*4567\)/,
    );

    // the customer re-verified under its own id is no stranger to itself
    await h.submit({ application_id: 'REVERIFY-APP-1', renewing_customer_id: 'APP-1' });
    const renewal = await h.waitForStage('REVERIFY-APP-1', 'analyst');
    expect(renewal.assessment).toMatchObject({ risk: 'low', reasons: [] });
  });

  it('analyst refuses: the application ends refused with the reason, nothing is activated', async () => {
    const h = harness();
    await h.submit();
    await h.decide('APP-1', 'analyst', 'refuse', 'alice');
    await h.execution('APP-1');
    expect(await h.registry.get('APP-1')).toBeNull();
    expect((await h.dossiers.get('APP-1'))?.outcome?.why).toMatch(/refused by alice: refuse: checked/);
    expect(await h.actions('APP-1')).toContain('onboarding.refused');
  });

  it('terminated customer under a new name: high risk, the evidence names it, the analyst cannot activate alone, the executive refuses', async () => {
    const h = harness();
    await h.submit(LOOKALIKE);
    const waiting = await h.waitForStage('APP-LOOK', 'analyst');
    expect(waiting.assessment).toMatchObject({ risk: 'high', executiveBecause: ['high risk'] });
    expect(waiting.assessment?.reasons[0].detail).toMatch(/terminated customer C042/);
    expect(h.notifier.onCall.at(-1)?.text).toMatch(/PRIOR_ID_NUMBER: .*C042/);
    // its first line, what a console shows of it, says which review waits
    expect(h.notifier.onCall.at(-1)?.text.split('\n')[0]).toMatch(
      /: risk high; waits for the analyst review\.$/,
    );

    await h.decide('APP-LOOK', 'analyst', 'approve', 'alice');
    await h.waitForStage('APP-LOOK', 'executive');
    expect(h.notifier.onCall.at(-1)?.text.split('\n')[0]).toMatch(
      /: risk high; waits for the executive review\.$/,
    );
    expect(await h.registry.get('APP-LOOK')).toBeNull();
    // the analyst cannot approve as executive: refused by the use case, and by the machine itself
    await expect(h.decide('APP-LOOK', 'executive', 'approve', 'Alice')).rejects.toThrow(/different person/);
    const token = (await h.dossiers.getToken('APP-LOOK', 'executive')) as string;
    await h.broker.succeed(token, {
      decision: 'approve',
      reason: 'approving my own review',
      decidedBy: 'alice',
    });
    for (let i = 0; i < 200 && (await h.dossiers.getToken('APP-LOOK', 'executive')) === token; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await h.registry.get('APP-LOOK')).toBeNull();
    // the use case's refusal is on the record too, as the machine's is
    expect((await h.dossiers.get('APP-LOOK'))?.refusals).toMatchObject([
      { stage: 'executive', by: 'Alice' },
      { stage: 'executive', by: 'alice' },
    ]);
    await h.decide('APP-LOOK', 'executive', 'refuse', 'erin');
    await h.execution('APP-LOOK');
    expect(await h.registry.get('APP-LOOK')).toBeNull();
    expect(await h.dossiers.get('APP-LOOK')).toMatchObject({
      status: 'refused',
      executive: { decidedBy: 'erin' },
    });
    expect(await h.actions('APP-LOOK')).toEqual(
      expect.arrayContaining([
        'onboarding.decision_refused',
        'onboarding.decision.executive',
        'onboarding.refused',
      ]),
    );
  });

  it('the person who submitted an application cannot review it: refused by the use case and by the machine', async () => {
    const h = harness();
    await h.submit(MARKETER);
    await expect(h.decide('APP-MKT', 'analyst', 'approve', 'Sales@Carrier')).rejects.toThrow(
      /different person than the one who submitted application APP-MKT \(sales@carrier\)/,
    );
    const token = (await h.dossiers.getToken('APP-MKT', 'analyst')) as string;
    await h.broker.succeed(token, {
      decision: 'approve',
      reason: 'approving my own customer',
      decidedBy: 'sales@carrier',
    });
    for (let i = 0; i < 200 && (await h.dossiers.getToken('APP-MKT', 'analyst')) === token; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await h.dossiers.get('APP-MKT')).toMatchObject({
      analyst: null,
      refusals: [
        { stage: 'analyst', by: 'Sales@Carrier' },
        { stage: 'analyst', by: 'sales@carrier' },
      ],
    });
    // nor as the executive once another analyst approved
    await h.decide('APP-MKT', 'analyst', 'approve', 'alice');
    await expect(h.decide('APP-MKT', 'executive', 'approve', 'sales@carrier')).rejects.toThrow(
      /submitted application APP-MKT/,
    );
    await h.decide('APP-MKT', 'executive', 'approve', 'erin');
    await h.execution('APP-MKT');
    expect(await h.registry.get('APP-MKT')).toMatchObject({ vetting: 'new' });
  });

  it('high-volume marketer: low risk, yet activation waits for a different executive', async () => {
    const h = harness();
    await h.submit(MARKETER);
    const waiting = await h.waitForStage('APP-MKT', 'analyst');
    expect(waiting.assessment).toMatchObject({
      risk: 'low',
      executiveBecause: ['high-volume customer', 'marketing or political calling'],
    });
    await h.decide('APP-MKT', 'analyst', 'approve', 'alice');
    await h.decide('APP-MKT', 'executive', 'approve', 'erin');
    await h.execution('APP-MKT');
    expect(await h.registry.get('APP-MKT')).toMatchObject({ vetting: 'new' });
    const activated = ((await h.audit.list(onboardingStream('APP-MKT'))) as AuditRecord[]).at(-1);
    expect(activated).toMatchObject({
      action: 'onboarding.activated',
      details: { analyst: 'alice', executive: 'erin' },
    });
  });

  it('a decision with no reason is refused and the application waits in the same review', async () => {
    const h = harness();
    await h.submit();
    await h.waitForStage('APP-1', 'analyst');
    await expect(
      decideApplication(
        { applicationId: 'APP-1', decision: 'approve', reason: 'ok', caller: reviewer('alice') },
        { dossiers: h.dossiers, callbacks: h.broker, audit: h.audit },
      ),
    ).rejects.toThrow(ApplicationRefused);
    const token = (await h.dossiers.getToken('APP-1', 'analyst')) as string;
    await h.broker.succeed(token, { decision: 'approve', reason: 'ok', decidedBy: 'alice' });
    for (let i = 0; i < 200 && (await h.dossiers.getToken('APP-1', 'analyst')) === token; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await h.decide('APP-1', 'analyst', 'approve', 'alice');
    await h.execution('APP-1');
    expect(await h.actions('APP-1')).toContain('onboarding.decision_refused');
    expect(await h.registry.get('APP-1')).not.toBeNull();
  });

  for (const stage of ['analyst', 'executive'] as const) {
    it(`${stage} review timeout: the application is refused as overdue, never left hanging`, async () => {
      const h = harness({
        patch: (asl) => {
          const name =
            stage === 'analyst'
              ? 'Wait for analyst review of the application'
              : 'Wait for executive approval of the application';
          asl.States[name].TimeoutSeconds = 1;
        },
      });
      await h.submit(MARKETER);
      if (stage === 'executive') await h.decide('APP-MKT', 'analyst', 'approve', 'alice');
      await h.execution('APP-MKT');
      expect(await h.dossiers.get('APP-MKT')).toMatchObject({
        status: 'refused',
        outcome: { why: expect.stringMatching(`the ${stage} review did not come in time`) },
      });
      expect(await h.dossiers.getToken('APP-MKT', stage)).toBeNull();
      expect(await h.registry.get('APP-MKT')).toBeNull();
    });
  }

  it('step failure: alerts on-call and stops; a transient error is retried', async () => {
    const h = harness();
    h.registry.failures.push(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await h.submit();
    await h.decide('APP-1', 'analyst', 'approve', 'alice');
    await h.execution('APP-1');
    expect(await h.registry.get('APP-1')).not.toBeNull();

    const broken = harness();
    broken.registry.failures.push(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await broken.submit();
    await broken.decide('APP-1', 'analyst', 'approve', 'alice');
    await expect(broken.execution('APP-1')).rejects.toThrow(/Fail state/);
    expect(broken.notifier.onCall.at(-1)?.subject).toMatch(/step failed \(AccessDeniedException\)/);
    expect(await broken.actions('APP-1')).toContain('onboarding.step_failed');
  });

  it('submitting the same application twice starts one workflow', async () => {
    const h = harness();
    expect((await h.submit()).started).toBe('started');
    expect((await h.submit()).started).toBe('already');
    await h.decide('APP-1', 'analyst', 'refuse', 'alice');
    await h.execution('APP-1');
    expect((await h.actions('APP-1')).filter((a) => a === 'onboarding.submitted')).toHaveLength(1);
  });

  it('submitting other content under a known application id is refused, naming the fields; the dossier is unchanged', async () => {
    const h = harness();
    await h.submit();
    const before = await h.dossiers.get('APP-1');
    const resubmitted = h.submit({
      legal_name: 'Other Name LLC',
      expected_volume: { calls_per_day: 9, peak_per_hour: 2 },
    });
    await expect(resubmitted).rejects.toThrow(ApplicationRefused);
    await expect(resubmitted).rejects.toThrow(
      /application APP-1 was already submitted at .* by sales@carrier with other content \(expected_volume, legal_name differ\)/,
    );
    expect((await h.dossiers.get('APP-1'))?.application).toEqual(before?.application);
    // the same content again is still harmless, and says so even where the starter answers
    // 'started' (Step Functions does, for a running execution of the same name and input)
    expect(await h.submit()).toMatchObject({ started: 'already', resubmitted: true });
    const sfnLike = { start: async () => 'started' as const };
    const again = await submitApplication(cleanApplication(), 'sales@carrier', 'test', {
      dossiers: h.dossiers,
      starter: sfnLike,
      audit: h.audit,
    });
    expect(again).toMatchObject({ started: 'started', resubmitted: true });
  });

  describe('a customer under enforcement', () => {
    async function withC042(status: 'terminated' | 'suspended' | null) {
      const h = harness();
      await h.registry.put(C042_PROFILE);
      if (status) await h.customers.setStatus('C042', status, 'case C042-F-1: IRS impersonation campaign');
      return h;
    }

    it('a renewal naming a terminated customer is refused without review, the reason on the record; its profile is not rewritten', async () => {
      const h = await withC042('terminated');
      await h.submit(RENEW_C042);
      await h.execution(RENEW_C042.application_id);
      const dossier = await h.dossiers.get(RENEW_C042.application_id);
      expect(dossier).toMatchObject({
        status: 'refused',
        analyst: null,
        outcome: { why: expect.stringMatching(/customer C042 was terminated on .*: a termination is final/) },
      });
      expect(dossier?.assessment?.reasons[0]).toMatchObject({ code: 'CUSTOMER_TERMINATED', risk: 'high' });
      expect(await h.dossiers.getToken(RENEW_C042.application_id, 'analyst')).toBeNull();
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
      expect(await h.actions(RENEW_C042.application_id)).toEqual([
        'onboarding.submitted',
        'onboarding.checked',
        'onboarding.refused',
      ]);
      const refused = ((await h.audit.list(onboardingStream(RENEW_C042.application_id))) as AuditRecord[]).at(
        -1,
      );
      expect(refused?.reason).toMatch(/applies as a new customer .* which an executive must approve/);
    });

    it("a new application that reuses a terminated customer's id is refused the same way", async () => {
      const h = await withC042('terminated');
      await h.submit({ application_id: 'C042' });
      await h.execution('C042');
      expect(await h.dossiers.get('C042')).toMatchObject({ status: 'refused', analyst: null });
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
    });

    it('a renewal naming no customer in the registry is refused without review, saying which customer differs only in case', async () => {
      const h = await withC042('terminated');
      const renewals = [
        { application_id: 'RENEW-lower', renewing_customer_id: 'c042' },
        { application_id: 'RENEW-none', renewing_customer_id: 'C999' },
      ];
      for (const renewal of renewals) {
        await h.submit(renewal);
        await h.execution(renewal.application_id);
        expect(await h.dossiers.get(renewal.application_id)).toMatchObject({
          status: 'refused',
          analyst: null,
        });
        expect(await h.dossiers.getToken(renewal.application_id, 'analyst')).toBeNull();
      }
      const lower = await h.dossiers.get('RENEW-lower');
      // judged as C042: its termination is the reason it is refused
      expect(lower?.assessment?.reasons.map((r) => r.code).sort()).toEqual([
        'CUSTOMER_TERMINATED',
        'RENEWAL_UNKNOWN_CUSTOMER',
      ]);
      expect(lower?.outcome?.why).toMatch(/customer C042 was terminated on .*: a termination is final/);
      expect(lower?.assessment?.reasons.find((r) => r.code === 'RENEWAL_UNKNOWN_CUSTOMER')?.detail).toMatch(
        /^no customer c042 to renew; did you mean C042\?/,
      );
      expect((await h.dossiers.get('RENEW-none'))?.outcome?.why).toMatch(
        /^no customer C999 to renew: a renewal names a customer in the registry exactly/,
      );
      expect(await h.registry.get('c042')).toBeNull();
      expect(await h.registry.get('C999')).toBeNull();
    });

    it('a renewal naming an active customer in another case is refused too, naming the customer meant', async () => {
      const h = await withC042(null);
      await h.submit({ application_id: 'RENEW-lower', renewing_customer_id: 'c042' });
      await h.execution('RENEW-lower');
      expect((await h.dossiers.get('RENEW-lower'))?.outcome?.why).toMatch(
        /^no customer c042 to renew; did you mean C042\?/,
      );
      expect(await h.registry.get('c042')).toBeNull();
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
    });

    it("a suspended customer's renewal needs an executive after the analyst, and stays suspended once activated", async () => {
      const h = await withC042('suspended');
      await h.submit(RENEW_C042);
      const waiting = await h.waitForStage(RENEW_C042.application_id, 'analyst');
      expect(waiting.assessment).toMatchObject({
        risk: 'high',
        executiveBecause: ['high risk', 'customer suspended by enforcement'],
        barred: null,
      });
      expect(waiting.assessment?.reasons[0].detail).toMatch(
        /customer C042 is suspended since .*IRS impersonation/,
      );
      await h.decide(RENEW_C042.application_id, 'analyst', 'approve', 'alice');
      await h.waitForStage(RENEW_C042.application_id, 'executive');
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
      await h.decide(RENEW_C042.application_id, 'executive', 'approve', 'erin');
      await h.execution(RENEW_C042.application_id);
      expect((await h.dossiers.get(RENEW_C042.application_id))?.status).toBe('activated');
      expect((await h.customers.get('C042'))?.status).toBe('suspended');
    });

    it('a customer terminated while its renewal waited for review: the approval refuses the application instead of activating it', async () => {
      const h = await withC042(null);
      await h.submit(RENEW_C042);
      await h.waitForStage(RENEW_C042.application_id, 'analyst');
      await h.customers.setStatus('C042', 'terminated', 'case C042-F-2: calls after a warning');
      await h.decide(RENEW_C042.application_id, 'analyst', 'approve', 'alice');
      await h.execution(RENEW_C042.application_id);
      expect(await h.dossiers.get(RENEW_C042.application_id)).toMatchObject({
        status: 'refused',
        outcome: { why: expect.stringMatching(/customer C042 was terminated on .*calls after a warning/) },
      });
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
      expect(await h.actions(RENEW_C042.application_id)).not.toContain('onboarding.activated');
    });

    it('a customer suspended while its renewal waited: one analyst cannot activate it', async () => {
      const h = await withC042(null);
      await h.submit(RENEW_C042);
      await h.waitForStage(RENEW_C042.application_id, 'analyst');
      await h.customers.setStatus('C042', 'suspended', 'case C042-F-3: critical finding');
      await h.decide(RENEW_C042.application_id, 'analyst', 'approve', 'alice');
      await h.execution(RENEW_C042.application_id);
      expect((await h.dossiers.get(RENEW_C042.application_id))?.outcome?.why).toMatch(
        /one analyst's approval does not activate a suspended customer/,
      );
      expect(await h.registry.get('C042')).toEqual(C042_PROFILE);
    });
  });
});
