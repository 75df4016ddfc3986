import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUNDLING } from '../../infra/constructs/traceguard-function.ts';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

/**
 * What a first deploy to a real account needs and `cdk synth` alone does not show: alarms that can
 * reach on-call, no message SNS can drop unseen, an audit export whose failure pages, monitoring of
 * every way the pipeline stalls, service principals scoped to this account, the pinned SDK bundled.
 */
let synth: ReturnType<typeof synthTraceguard>;
let resources: Record<string, CfnResource>;
beforeAll(() => {
  synth = synthTraceguard();
  resources = synth.template.toJSON().Resources;
});

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: { Service?: unknown };
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const alarms = () => resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
const onCallRef = () => ({ Ref: logicalIdOf(synth.template, 'AWS::SNS::Topic', 'OnCallTopic') });
const queueNameDimension = (queue: string) =>
  JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]);
const alarmArnPattern = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':cloudwatch:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':alarm:*',
    ],
  ],
};

describe('alarms can notify on-call', () => {
  it("lets CloudWatch alarms of this account publish to the OnCallTopic in the topic's own policy", () => {
    const topic = logicalIdOf(synth.template, 'AWS::SNS::Topic', 'OnCallTopic');
    const policies = resourcesOfType(synth.template, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties!.Topics).includes(`"${topic}"`),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties!.PolicyDocument.Statement as Statement[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topic },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': alarmArnPattern },
          },
        }),
      ]),
    );
  });
});

describe('no message dropped between SNS and SQS', () => {
  it('gives every SQS subscription a redrive policy to its own alarmed dead-letter queue', () => {
    const subscriptions = resourcesOfType(synth.template, 'AWS::SNS::Subscription').filter(
      ([, s]) => s.Properties!.Protocol === 'sqs',
    );
    expect(subscriptions).toHaveLength(3);
    const dlqs = subscriptions.map(([id, s]) => {
      const dlq = s.Properties!.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
      expect(dlq, `${id} has no redrive policy`).toBeTruthy();
      expect(resources[dlq].Properties!.KmsMasterKeyId).toBeDefined();
      const depth = alarms().filter(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) === queueNameDimension(dlq),
      );
      expect(depth, `${dlq} depth is not alarmed`).toHaveLength(1);
      expect(depth[0].AlarmActions).toEqual([onCallRef()]);
      return dlq;
    });
    expect(new Set(dlqs).size).toBe(3);
  });

  it('alarms on NumberOfNotificationsFailed of the ComplianceEvents topic', () => {
    const topic = logicalIdOf(synth.template, 'AWS::SNS::Topic', 'ComplianceEvents');
    const found = alarms().filter(
      (a) =>
        a.Namespace === 'AWS/SNS' &&
        a.MetricName === 'NumberOfNotificationsFailed' &&
        JSON.stringify(a.Dimensions).includes(`"${topic}"`),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: 1, AlarmActions: [onCallRef()] });
  });
});

describe('no scheduled run dropped', () => {
  const scheduledRules = () =>
    resourcesOfType(synth.template, 'AWS::Events::Rule').filter(
      ([, r]) => typeof r.Properties!.ScheduleExpression === 'string',
    );
  const tagOf = (queue: string, key: string) =>
    (resources[queue].Properties!.Tags as Array<{ Key: string; Value: unknown }>).find((t) => t.Key === key)
      ?.Value;

  it.each([
    ['DayReviewSchedule', 'DayReviewFunction'],
    ['DeadlineSchedule', 'TracebackDeadlineFunction'],
    ['TrackRecordSchedule', 'TrackRecordReviewFunction'],
    ['ReconcileSchedule', 'ReconcileFunction'],
  ])(
    '%s sends a run it cannot deliver to its own encrypted, alarmed dead-letter queue naming %s',
    (rule, fn) => {
      const [[ruleId, found]] = scheduledRules().filter(([id]) => id.includes(rule));
      const [target] = found.Properties!.Targets;
      const fnId = logicalIdOf(synth.template, 'AWS::Lambda::Function', new RegExp(`${fn}[0-9A-F]{8}$`));
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2 });
      const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
      expect(dlq, `${ruleId} has no dead-letter queue`).toMatch(new RegExp(`${rule}Dlq`));
      const messagingKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'MessagingKey');
      expect(resources[dlq].Properties!.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [messagingKey, 'Arn'] });
      // what `traceguard dlq` reads: a schedule's dead letters, and the function a redrive invokes
      expect(tagOf(dlq, 'traceguard:dead-letter-of')).toBe('schedule');
      expect(tagOf(dlq, 'traceguard:redrive-target')).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      const depth = alarms().filter(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) === queueNameDimension(dlq),
      );
      expect(depth, `${dlq} depth is not alarmed`).toHaveLength(1);
      expect(depth[0].AlarmActions).toEqual([onCallRef()]);
      const policies = resourcesOfType(synth.template, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        JSON.stringify(p.Properties!.Queues).includes(`"${dlq}"`),
      );
      const statements = policies.flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: expect.objectContaining({
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            }),
          }),
        ]),
      );
    },
  );

  it("lets EventBridge rules of this account encrypt with the messaging key, the dead-letter queues' key", () => {
    const key = logicalIdOf(synth.template, 'AWS::KMS::Key', 'MessagingKey');
    const statements = resources[key].Properties!.KeyPolicy.Statement as Statement[];
    const events = statements.filter(
      (s) => JSON.stringify(s.Principal) === '{"Service":"events.amazonaws.com"}',
    );
    expect(events).toHaveLength(1);
    expect(list(events[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(events[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('gives every scheduled rule a dead-letter queue', () => {
    // the four above; the audit export is an EventBridge Scheduler schedule, with its own test
    expect(scheduledRules()).toHaveLength(4);
    for (const [id, rule] of scheduledRules())
      for (const target of rule.Properties!.Targets)
        expect(target.DeadLetterConfig?.Arn, `${id} target ${target.Id}`).toBeDefined();
  });
});

describe('the daily audit export', () => {
  const exportMachine = () => logicalIdOf(synth.template, 'AWS::StepFunctions::StateMachine', 'AuditExport');
  const roleStatements = (roleId: string): Statement[] =>
    resourcesOfType(synth.template, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(`"${roleId}"`))
      .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);

  it("has the documented S3 prerequisites of a DynamoDB export on the export prefix, and the bucket's key", () => {
    const bucket = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'AuditExportBucket');
    const role = resources[exportMachine()].Properties!.RoleArn['Fn::GetAtt'][0];
    const statements = roleStatements(role);
    const s3 = statements.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect(list(s3[0].Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl']);
    expect(s3[0].Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/audit-export/*']],
    });
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:ExportTableToPointInTime',
        'dynamodb:DescribeExport',
        'kms:GenerateDataKey',
      ]),
    );
  });

  it('watches the export until DynamoDB reports it COMPLETED and fails the execution otherwise', () => {
    const definition = JSON.stringify(resources[exportMachine()].Properties!.DefinitionString);
    expect(definition).toContain('dynamodb:exportTableToPointInTime');
    expect(definition).toContain('dynamodb:describeExport');
    expect(definition).toMatch(/COMPLETED/);
    expect(definition).toMatch(/AuditExportFailed/);
    expect(resources[exportMachine()].Properties!.DefinitionString).toBeDefined();
  });

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms to on-call on %s of the export',
    (metric) => {
      const found = alarms().filter(
        (a) =>
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions) ===
            JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: exportMachine() } }]),
      );
      expect(found).toHaveLength(1);
      expect(found[0].AlarmActions).toEqual([onCallRef()]);
    },
  );

  it('gives the schedule target a dead-letter queue that is alarmed, and a role only this account can use', () => {
    const [[, schedule]] = resourcesOfType(synth.template, 'AWS::Scheduler::Schedule');
    const target = schedule.Properties!.Target;
    expect(target.Arn).toEqual({ Ref: exportMachine() });
    const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
    expect(dlq).toBeTruthy();
    expect(alarms().some((a) => JSON.stringify(a.Dimensions) === queueNameDimension(dlq))).toBe(true);
    const role = target.RoleArn['Fn::GetAtt'][0];
    const actions = roleStatements(role).flatMap((s) => list(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['states:StartExecution', 'sqs:SendMessage']));
    const trust = resources[role].Properties!.AssumeRolePolicyDocument.Statement as Statement[];
    expect(trust).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });
});

describe('monitoring', () => {
  const machines = () =>
    resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine').map(([id]) => id);

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'alarms on %s of every state machine',
    (metric) => {
      // escalation, audit export and onboarding
      expect(machines()).toHaveLength(3);
      for (const machine of machines()) {
        const found = alarms().filter(
          (a) =>
            a.MetricName === metric &&
            JSON.stringify(a.Dimensions) ===
              JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: machine } }]),
        );
        expect(found, machine).toHaveLength(1);
      }
    },
  );

  it.each([
    ['AlertQueue', 15 * 60],
    ['EscalationQueue', 60 * 60],
    ['AuditQueue', 60 * 60],
  ])('alarms when the oldest message of %s is older than %i s', (name, seconds) => {
    const queue = logicalIdOf(synth.template, 'AWS::SQS::Queue', new RegExp(`Events${name}[0-9A-F]{8}$`));
    const found = alarms().filter(
      (a) =>
        a.MetricName === 'ApproximateAgeOfOldestMessage' &&
        JSON.stringify(a.Dimensions) === queueNameDimension(queue),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: seconds, AlarmActions: [onCallRef()] });
  });

  it.each(['TracebacksNearDeadline', 'TracebacksBreached'])(
    'alarms on %s, the metric the deadline watcher publishes',
    (metric) => {
      const found = alarms().filter((a) => a.Namespace === 'Traceguard' && a.MetricName === metric);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Threshold: 1,
        Dimensions: [{ Name: 'service', Value: 'traceguard' }],
        AlarmActions: [onCallRef()],
      });
    },
  );

  it('alarms within the hour on calls from customer ids the registry does not hold', () => {
    const found = alarms().filter(
      (a) => a.Namespace === 'Traceguard' && a.MetricName === 'UnregisteredCustomerCalls',
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Threshold: 1,
      Period: 3600,
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [onCallRef()],
    });
  });

  it('alarms within the hour on a re-upload refused for changing a batch already counted under its key', () => {
    const found = alarms().filter((a) => a.Namespace === 'Traceguard' && a.MetricName === 'RefusedReuploads');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Threshold: 1,
      Period: 3600,
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'service', Value: 'traceguard' }],
      AlarmActions: [onCallRef()],
    });
  });

  it('shows rows, quarantined rows, findings and tracebacks on the dashboard', () => {
    const [[, dashboard]] = resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    for (const metric of [
      'Rows',
      'QuarantinedRows',
      'UnattributedRows',
      'UnregisteredCustomerCalls',
      'FindingsPublished',
      'TracebacksOpen',
      'TracebacksBreached',
    ]) {
      expect(body, metric).toMatch(new RegExp(`Traceguard.{0,12}${metric}`));
    }
  });
});

describe('least privilege and confused deputy', () => {
  it('conditions every statement that lets an AWS service use a key, queue or topic on this account', () => {
    let checked = 0;
    const types = ['AWS::KMS::Key', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'];
    for (const type of types) {
      for (const [id, r] of resourcesOfType(synth.template, type)) {
        const document = r.Properties!.KeyPolicy ?? r.Properties!.PolicyDocument;
        for (const s of document.Statement as Statement[]) {
          if (s.Effect !== 'Allow' || s.Principal?.Service === undefined) continue;
          checked += 1;
          const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
          expect(keys, `${id}: ${JSON.stringify(s.Principal)} ${JSON.stringify(s.Action)}`).toContain(
            'aws:SourceAccount',
          );
        }
      }
    }
    // CloudWatch Logs, CloudWatch, SNS and S3 on the keys; S3 and SNS on the queues; CloudWatch on the topic
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('conditions the trust of every role a service other than Lambda assumes', () => {
    for (const [id, role] of resourcesOfType(synth.template, 'AWS::IAM::Role')) {
      for (const s of role.Properties!.AssumeRolePolicyDocument.Statement as Statement[]) {
        if (s.Principal?.Service === 'lambda.amazonaws.com') continue;
        expect(s.Condition, id).toBeDefined();
      }
    }
  });

  it('gives the escalation state machine no right on the data key', () => {
    const machine = logicalIdOf(synth.template, 'AWS::StepFunctions::StateMachine', 'EscalationStateMachine');
    const role = resources[machine].Properties!.RoleArn['Fn::GetAtt'][0];
    const actions = resourcesOfType(synth.template, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(`"${role}"`))
      .flatMap(([, p]) =>
        (p.Properties!.PolicyDocument.Statement as Statement[]).flatMap((s) => list(s.Action)),
      );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('names every state machine log group under /aws/vendedlogs/states/', () => {
    for (const [id, machine] of resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine')) {
      const destination = machine.Properties!.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup;
      const group = destination.LogGroupArn['Fn::GetAtt'][0];
      expect(resources[group].Properties!.LogGroupName, id).toMatch(/^\/aws\/vendedlogs\/states\//);
    }
  });
});

describe('runtime SDK', () => {
  it('bundles @aws-sdk/* with the functions instead of leaving it to the Lambda runtime', () => {
    expect(FUNCTION_BUNDLING.externalModules).toEqual([]);
  });
});
