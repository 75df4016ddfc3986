import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard();
});

const alarms = () => resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
const onCall = () => ({ Ref: logicalIdOf(synth.template, 'AWS::SNS::Topic', 'OnCallTopic') });

describe('alarms to on-call', () => {
  it('alarms on the depth of every dead-letter queue', () => {
    const dlqs = resourcesOfType(synth.template, 'AWS::SQS::Queue')
      .map(([, q]) => q.Properties!.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0])
      .filter(Boolean);
    expect(dlqs.length).toBeGreaterThanOrEqual(5);
    for (const dlq of dlqs) {
      const found = alarms().filter(
        (a) =>
          a.Namespace === 'AWS/SQS' &&
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) ===
            JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]),
      );
      expect(found, dlq).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [onCall()],
      });
    }
  });

  it.each(['Errors', 'Throttles'])('alarms on the %s of every Traceguard function', (metric) => {
    const functions = resourcesOfType(synth.template, 'AWS::Lambda::Function').filter(
      ([, fn]) => fn.Metadata?.['traceguard:entry'],
    );
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const [id] of functions) {
      const found = alarms().filter(
        (a) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]),
      );
      expect(found, id).toHaveLength(1);
      expect(found[0]).toMatchObject({ Threshold: 1, AlarmActions: [onCall()] });
    }
  });

  it.each([
    ['IngestQueue', 30 * 60],
    ['TracebackQueue', 60 * 60],
  ])('alarms when the oldest message of %s is older than %i s', (name, seconds) => {
    const queue = logicalIdOf(synth.template, 'AWS::SQS::Queue', new RegExp(`${name}[0-9A-F]{8}$`));
    const found = alarms().filter(
      (a) =>
        a.MetricName === 'ApproximateAgeOfOldestMessage' &&
        JSON.stringify(a.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: seconds, AlarmActions: [onCall()] });
  });

  it('alarms on failed escalation executions', () => {
    for (const [id] of resourcesOfType(synth.template, 'AWS::StepFunctions::StateMachine')) {
      const found = alarms().filter(
        (a) =>
          a.MetricName === 'ExecutionsFailed' &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: id } }]),
      );
      expect(found.length, id).toBeGreaterThanOrEqual(1);
      expect(
        found.some((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([onCall()])),
        id,
      ).toBe(true);
    }
  });

  it('lets CloudWatch use the messaging key, or alarms could not publish to the encrypted OnCallTopic', () => {
    const key = synth.template.toJSON().Resources[
      logicalIdOf(synth.template, 'AWS::KMS::Key', 'MessagingKey')
    ] as CfnResource;
    expect(key.Properties!.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
  });
});

describe('dashboard', () => {
  it('has one dashboard named after the stage', () => {
    synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    synth.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Traceguard-dev' });
  });
});
