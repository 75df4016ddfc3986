import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Escalation } from '../../infra/constructs/escalation.ts';

let template: Template;
let stack: Stack;
let auditTable: Table;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new Stack(app, 'EscalationInfra', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = (id: string) =>
    new Table(stack, id, {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
  auditTable = table('Audit');
  new Escalation(stack, 'Escalation', {
    key: new Key(stack, 'Key'),
    eventsTopic: new Topic(stack, 'Events'),
    onCallTopic: new Topic(stack, 'OnCall'),
    escalationQueue: new Queue(stack, 'EscalationQueue', { visibilityTimeout: Duration.minutes(6) }),
    casesTable: table('Cases'),
    reviewTokensTable: table('ReviewTokens'),
    customersTable: table('Customers'),
    auditTable,
    tracebacksTable: table('Tracebacks'),
    aggregatesTable: table('Aggregates'),
    manifestTable: table('Manifest'),
    cdrBucket: new Bucket(stack, 'Cdr'),
    accessLogBucket: new Bucket(stack, 'AccessLogs'),
    auditRetentionYears: 5,
  });
  template = Template.fromStack(stack);
});

describe('Escalation construct', () => {
  it('exports the audit log to a KMS bucket under Object Lock compliance mode for the retention', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 366 * 5 } },
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    // the schedule starts the export state machine, which waits for the export's outcome
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { Ref: machines.find((id) => id.includes('AuditExport')) } }),
    });
  });

  it('logs and traces the state machine, and every callback task has a timeout', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    const [machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
      .filter(([id]) => id.includes('EscalationStateMachine'))
      .map(([, m]) => m);
    const text = JSON.stringify(machine.Properties.DefinitionString);
    const callbacks = text.split('lambda:invoke.waitForTaskToken').length - 1;
    expect(callbacks).toBe(3);
    expect(text.match(/\\"TimeoutSeconds\\":\d+/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('lets no role update or delete audit records, and no function answer review tasks', () => {
    const auditArn = stack.resolve(auditTable.tableArn);
    let auditGrants = 0;
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>) {
        const actions = [statement.Action].flat() as string[];
        const resources = JSON.stringify(statement.Resource);
        expect(actions, `${id} answers review tasks`).not.toContain('states:SendTaskSuccess');
        if (resources.includes(JSON.stringify(auditArn).slice(1, -1))) {
          auditGrants += 1;
          expect(
            actions.filter((a) => /dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|\*)/.test(a)),
            `${id} may rewrite the audit log`,
          ).toEqual([]);
        }
      }
    }
    // case-step and start-case both append to the audit log
    expect(auditGrants).toBeGreaterThanOrEqual(2);
  });

  it('tags each function with its handler entry for the local runtime', () => {
    const entries = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Metadata?.['traceguard:entry'],
    );
    expect(entries).toEqual(
      expect.arrayContaining(['functions/case-step/handler.ts', 'functions/start-case/handler.ts']),
    );
  });
});
