import { describe, expect, it } from 'vitest';
import { type CfnResource, synthTraceguard } from './synth.ts';

/**
 * Dossiers hold ID numbers and addresses: encrypted with the stack's data key, kept out of the
 * state machine's logs, and readable only by the onboarding-step function and the onboarding
 * reviewer policy.
 */
describe('onboarding dossiers', () => {
  const { template } = synthTraceguard();
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [dossiersId, dossiers] = Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.includes('DossiersTable'),
  ) as [string, CfnResource];
  const [dataKeyId] = Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::KMS::Key' && id.includes('DataKey'),
  ) as [string, CfnResource];

  it('are encrypted at rest with the stack data key, with point-in-time recovery', () => {
    expect(dossiers.Properties).toMatchObject({
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [dataKeyId, 'Arn'] },
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('are readable only by the onboarding-step role, the reviewer policy, the decision function and, by key, enforcement and the track-record review', () => {
    const readers: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const document = r.Properties?.PolicyDocument as
        | { Statement: Array<Record<string, unknown>> }
        | undefined;
      const statements = document?.Statement ?? [];
      const reads = statements.some((s) => {
        const actions = [s.Action].flat() as string[];
        const targets = JSON.stringify(s.Resource);
        return (
          s.Effect === 'Allow' &&
          actions.some((a) => /^dynamodb:(GetItem|BatchGetItem|Query|Scan|\*)$/.test(a)) &&
          (targets.includes(dossiersId) || targets === '"*"')
        );
      });
      if (reads) readers.push(id);
    }
    expect(readers).toHaveLength(6);
    // the decision function reads the dossier it decides and saves a refused decision on it
    expect(readers.find((id) => id.includes('DecideFunction'))).toBeDefined();
    // the track-record review reads a due customer's last dossier to submit its renewal
    expect(readers.find((id) => id.includes('TrackRecordReviewFunction'))).toBeDefined();
    expect(readers.find((id) => id.includes('DossierReviewPolicy'))).toBeDefined();
    expect(readers.find((id) => id.includes('OnboardingStepFunction'))).toBeDefined();
    // enforcement (the case steps, and a critical event's suspension at once) reads a terminated or
    // suspended customer's dossier to list its identifiers: by key only (no Query or Scan), and it may
    // write and delete do-not-onboard entries and nothing else
    for (const fn of ['CaseStepFunction', 'StartCaseFunction']) {
      const reader = readers.find((id) => id.includes(fn));
      expect(reader, fn).toBeDefined();
      const document = resources[reader as string].Properties?.PolicyDocument as
        | { Statement: Array<Record<string, unknown>> }
        | undefined;
      const statements = (document?.Statement ?? []).filter((s) =>
        JSON.stringify(s.Resource).includes(dossiersId),
      );
      expect(statements.map((s) => [s.Action, s.Condition ?? null])).toEqual([
        ['dynamodb:GetItem', null],
        [
          ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['DNO'] } },
        ],
      ]);
    }
  });

  it('the onboarding-step function may query the Customers table: the checks read the roster and the declarations', () => {
    const policy = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('OnboardingStepFunction'),
    )?.[1];
    const document = policy?.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    const onCustomers = document.Statement.filter((s) =>
      JSON.stringify(s.Resource).includes('CustomersTable'),
    );
    expect(onCustomers.flatMap((s) => [s.Action].flat())).toContain('dynamodb:Query');
  });

  it('stay out of the onboarding state machine logs', () => {
    const machine = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.includes('Onboarding'),
    )?.[1];
    expect(machine?.Properties?.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false });
  });
});

describe('track-record review', () => {
  const { template } = synthTraceguard();
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [fnId] = Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('TrackRecordReviewFunction'),
  ) as [string, CfnResource];

  it('runs once a day on an EventBridge schedule, one run at a time', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    });
    expect(resources[fnId].Properties).toMatchObject({ ReservedConcurrentExecutions: 1 });
  });

  it('reads the roster, stored hours and tracebacks, writes registry rows, and renews dossiers by key', () => {
    const policy = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('TrackRecordReviewFunction'),
    )?.[1];
    const document = policy?.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/dynamodb:Scan|dynamodb:DeleteItem/);
    const onDossiers = document.Statement.filter((s) => JSON.stringify(s.Resource).includes('DossiersTable'));
    expect(onDossiers.map((s) => s.Action)).toEqual([['dynamodb:GetItem', 'dynamodb:PutItem']]);
    expect(
      document.Statement.some(
        (s) =>
          s.Action === 'states:StartExecution' &&
          JSON.stringify(s.Resource).includes('OnboardingStateMachine'),
      ),
    ).toBe(true);
    const env = JSON.stringify(resources[fnId].Properties?.Environment);
    for (const name of [
      'CUSTOMERS_TABLE',
      'AGGREGATES_TABLE',
      'TRACEBACKS_TABLE',
      'AUDIT_TABLE',
      'ONCALL_TOPIC_ARN',
      'DOSSIERS_TABLE',
      'ONBOARDING_STATE_MACHINE_ARN',
    ])
      expect(env).toContain(name);
  });
});
