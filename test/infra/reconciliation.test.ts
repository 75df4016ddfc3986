import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  functionByHandler,
  logicalIdOf,
  resourcesOfType,
  synthTraceguard,
} from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
let sweepId: string;
let sweep: CfnResource;
beforeAll(() => {
  synth = synthTraceguard();
  [sweepId, sweep] = functionByHandler(synth.template, 'reconcile-batches');
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function sweepStatements(): Statement[] {
  const role = sweep.Properties?.Role['Fn::GetAtt'][0];
  return resourcesOfType(synth.template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles ?? []).some((r: { Ref: string }) => r.Ref === role))
    .flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as Statement[]);
}

const logicalId = (hint: string | RegExp, type: string) => logicalIdOf(synth.template, type, hint);

describe('reconciliation sweep (template)', () => {
  it('runs on a schedule, with the grace period and the ingest queue in its environment', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweepId, 'Arn'] } })],
    });
    expect(sweep.Properties?.Environment.Variables).toMatchObject({
      RECONCILE_GRACE_SECONDS: '900',
      INGEST_QUEUE_URL: { Ref: logicalId(/IngestQueue(?!Dlq)[A-Z0-9]+$/, 'AWS::SQS::Queue') },
      CDR_BUCKET: { Ref: logicalId('CdrBucket', 'AWS::S3::Bucket') },
      MANIFEST_TABLE: { Ref: logicalId('ManifestTable', 'AWS::DynamoDB::Table') },
    });
    expect(sweep.Properties?.ReservedConcurrentExecutions).toBe(1);
  });

  it('pages on-call when two runs in a row found objects missing from the manifest', () => {
    const [[, alarm]] = resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties?.MetricName === 'CdrObjectsMissing',
    );
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Traceguard',
      Dimensions: [{ Name: 'service', Value: 'traceguard' }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Period: 1800,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId('OnCallTopic', 'AWS::SNS::Topic') }],
    });
  });

  it('may list the bucket and read under cdr/ only, send to the ingest queue, read the manifest and write only its own items', () => {
    const bucket = logicalId('CdrBucket', 'AWS::S3::Bucket');
    const table = logicalId('ManifestTable', 'AWS::DynamoDB::Table');
    const queue = logicalId(/IngestQueue(?!Dlq)[A-Z0-9]+$/, 'AWS::SQS::Queue');
    const byService = (prefix: string) =>
      sweepStatements().filter((s) => list(s.Action).some((a) => a.startsWith(prefix)));

    const s3 = byService('s3:');
    expect(s3).toHaveLength(2);
    expect(s3).toContainEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
      }),
    );
    expect(s3).toContainEqual(
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/cdr/*']] },
      }),
    );

    const sqs = byService('sqs:');
    expect(sqs).toHaveLength(1);
    expect(list(sqs[0].Action).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(sqs[0].Resource).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });

    const dynamodb = byService('dynamodb:');
    const unconditioned = dynamodb.filter((s) => !s.Condition);
    expect(unconditioned.flatMap((s) => list(s.Action))).toEqual(['dynamodb:GetItem']);
    const writes = dynamodb.filter((s) => s.Condition);
    expect(writes).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RECONCILE', 'RECONCILE#*'] } },
      }),
    ]);
    for (const s of dynamodb) expect(s.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });

    const other = sweepStatements().filter(
      (s) => !list(s.Action).some((a) => /^(s3|sqs|dynamodb|kms|logs|xray):/.test(a)),
    );
    expect(other).toEqual([]);
  });
});
