import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/aws-clients.ts';
import { DataDirLockedError } from '../../local/data-lock.ts';
import { processAlive } from '../../local/emulators/tied-child.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { fixtureTemplates } from '../fixtures/local/fixture-stack.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const template = fixtureTemplates();
const dataDir = mkdtempSync(join(tmpdir(), 'traceguard-local-'));
const glueErrors: unknown[] = [];
let stack: LocalStack;

function clients(current: LocalStack) {
  const common = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  return {
    s3: new S3Client({ ...common, endpoint: current.endpoints.s3, forcePathStyle: true }),
    sqs: new SQSClient({ ...common, endpoint: current.endpoints.sqs }),
    sns: new SNSClient({ ...common, endpoint: current.endpoints.sns }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: current.endpoints.dynamodb }),
    sfn: new SFNClient({ ...common, endpoint: current.endpoints.sfn }),
  };
}

function resourceOf(current: LocalStack, type: string, logicalPrefix: string) {
  const entry = Object.entries(current.resources).find(
    ([id, r]) => r.type === type && id.startsWith(logicalPrefix),
  );
  if (!entry) throw new Error(`fixture has no ${type} ${logicalPrefix}`);
  return entry[1];
}

async function seen(current: LocalStack, key: string) {
  const table = resourceOf(current, 'AWS::DynamoDB::Table', 'Items').name;
  const result = await clients(current).dynamodb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `SEEN#${key}` } },
    }),
  );
  return (result.Items ?? []).map((item) => ({
    receiveCount: item.sk.S,
    record: JSON.parse(String(item.record.S)),
  }));
}

async function drain(sqs: SQSClient, url: string, waitSeconds = 1) {
  const result = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
    }),
  );
  return result.Messages ?? [];
}

async function tokenFor(current: LocalStack, execution: string): Promise<string> {
  const table = resourceOf(current, 'AWS::DynamoDB::Table', 'Items').name;
  for (let attempt = 0; attempt < 100; attempt++) {
    const item = await clients(current).dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: `TOKEN#${execution}` }, sk: { S: 'TOKEN' } } }),
    );
    if (item.Item?.token?.S) return item.Item.token.S;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no task token stored for ${execution}`);
}

beforeAll(async () => {
  stack = await startLocalStack({
    template,
    dataDir,
    fresh: true,
    repoRoot,
    onError: (e) => glueErrors.push(e),
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local runtime built from the synthesized template', () => {
  it('delivers S3 ObjectCreated (key URL-encoded like AWS, prefix filter honoured) to the queue and the handler', async () => {
    // Prepare
    const { s3 } = clients(stack);
    const bucket = resourceOf(stack, 'AWS::S3::Bucket', 'Uploads').name;
    const key = 'incoming/sbc east/batch (1)+x.csv';

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'call_id\n1\n' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/ignored.csv', Body: 'x' }));
    await stack.waitForIdle();

    // Assess
    const [delivery] = await seen(stack, key);
    expect(delivery.receiveCount).toBe('1');
    expect(delivery.record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: resourceOf(stack, 'AWS::SQS::Queue', 'UploadsQueue').arn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(delivery.record.messageId).toEqual(expect.any(String));
    expect(delivery.record.receiptHandle).toEqual(expect.any(String));
    const s3Record = JSON.parse(delivery.record.body).Records[0];
    expect(s3Record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: 'incoming/sbc+east/batch+%281%29%2Bx.csv', size: 10 },
      },
    });
    expect(s3Record.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    // fauxqs keeps no versions: an event naming one would point at a version nobody can read back
    expect(s3Record.s3.object.versionId).toBeUndefined();
    expect(s3Record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(await seen(stack, 'elsewhere/ignored.csv')).toEqual([]);
    expect((await seen(stack, 'TESTEVENT')).length).toBe(1);
  });

  it('redelivers only the failed message of a batch and moves it to the DLQ after maxReceiveCount', async () => {
    // Prepare
    const { s3, sqs } = clients(stack);
    const bucket = resourceOf(stack, 'AWS::S3::Bucket', 'Uploads').name;

    // Act
    await Promise.all([
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/poison.csv', Body: 'bad' })),
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/good.csv', Body: 'good' })),
    ]);
    await stack.waitForIdle();

    // Assess
    expect((await seen(stack, 'incoming/good.csv')).map((s) => s.receiveCount)).toEqual(['1']);
    expect((await seen(stack, 'incoming/poison.csv')).map((s) => s.receiveCount).sort()).toEqual(['1', '2']);
    const dead = await drain(sqs, resourceOf(stack, 'AWS::SQS::Queue', 'UploadsDlq').url!);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].Body!).Records[0].s3.object.key).toBe('incoming/poison.csv');
  });

  it('waits for everything but a failed message awaiting its retry when asked, and counts it', async () => {
    const { s3 } = clients(stack);
    const bucket = resourceOf(stack, 'AWS::S3::Bucket', 'Uploads').name;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/poison-wait.csv', Body: 'bad' }));
    // the queue's visibility timeout is 2 s: idle (but for the failed message) comes before its retry
    await stack.waitForIdle({ exceptRetrying: true });
    expect((await seen(stack, 'incoming/poison-wait.csv')).map((s) => s.receiveCount)).toEqual(['1']);
    expect(await stack.retrying()).toBe(1);
    // a plain wait sees it through its retry to the dead-letter queue; then nothing awaits a retry
    await stack.waitForIdle();
    expect((await seen(stack, 'incoming/poison-wait.csv')).length).toBe(2);
    expect(await stack.retrying()).toBe(0);
    const dead = await drain(clients(stack).sqs, resourceOf(stack, 'AWS::SQS::Queue', 'UploadsDlq').url!);
    expect(dead.map((m) => JSON.parse(m.Body!).Records[0].s3.object.key)).toEqual([
      'incoming/poison-wait.csv',
    ]);
  });

  it('fans SNS out to SQS honouring the filter policy and raw delivery', async () => {
    // Prepare
    const { sns, sqs } = clients(stack);
    const topicArn = resourceOf(stack, 'AWS::SNS::Topic', 'Events').arn!;
    const attributes = (rank: string) => ({
      type: { DataType: 'String', StringValue: 'finding' },
      severity_rank: { DataType: 'Number', StringValue: rank },
    });

    // Act
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: '{"n":"low"}', MessageAttributes: attributes('1') }),
    );
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: '{"n":"high"}', MessageAttributes: attributes('3') }),
    );

    // Assess
    const alerts = await drain(sqs, resourceOf(stack, 'AWS::SQS::Queue', 'AlertsQueue').url!);
    const audit = [
      ...(await drain(sqs, resourceOf(stack, 'AWS::SQS::Queue', 'AuditQueue').url!)),
      ...(await drain(sqs, resourceOf(stack, 'AWS::SQS::Queue', 'AuditQueue').url!, 0)),
    ];
    expect(alerts.map((m) => m.Body)).toEqual(['{"n":"high"}']);
    expect(audit.map((m) => m.Body).sort()).toEqual(['{"n":"high"}', '{"n":"low"}']);
  });

  it('runs DynamoDB transactions on the real engine: a failing condition cancels the whole write', async () => {
    // Prepare
    const { dynamodb } = clients(stack);
    const table = resourceOf(stack, 'AWS::DynamoDB::Table', 'Items').name;
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'CUST#1' }, sk: { S: 'H#1' }, v: { N: '1' } },
      }),
    );

    // Act
    const attempt = dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 'CUST#1' }, sk: { S: 'APPLIED#b1' } } } },
          {
            Update: {
              TableName: table,
              Key: { pk: { S: 'CUST#1' }, sk: { S: 'H#1' } },
              UpdateExpression: 'SET v = :next',
              ConditionExpression: 'v = :expected',
              ExpressionAttributeValues: { ':next': { N: '3' }, ':expected': { N: '2' } },
            },
          },
        ],
      }),
    );

    // Assess
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
    ]);
    const marker = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'CUST#1' }, sk: { S: 'APPLIED#b1' } } }),
    );
    expect(marker.Item).toBeUndefined();
    await expect(
      dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'CUST#1' }, sk: { S: 'H#1' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('completes a callback task after SendTaskSuccess through the SDK client', async () => {
    // Prepare
    const { sfn } = clients(stack);
    const machineArn = resourceOf(stack, 'AWS::StepFunctions::StateMachine', 'Escalation').arn!;

    // Act
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: 'case-answered',
        input: '{"caseId":"C1"}',
      }),
    );
    const token = await tokenFor(stack, 'case-answered');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"warn"}' }));
    await stack.stepFunctions.waitForEnd(started.executionArn!);

    // Assess
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({
      caseId: 'C1',
      prepared: true,
      review: { decision: 'warn' },
    });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.map((e) => e.type)).toContain('ExecutionSucceeded');
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: machineArn,
          name: 'case-answered',
          input: '{"caseId":"C2"}',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('fails a callback task with States.Timeout when nobody answers', async () => {
    // Prepare
    const { sfn } = clients(stack);
    const machineArn = resourceOf(stack, 'AWS::StepFunctions::StateMachine', 'Escalation').arn!;

    // Act
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: 'case-unanswered',
        input: '{"caseId":"C3"}',
      }),
    );
    const token = await tokenFor(stack, 'case-unanswered');
    await stack.stepFunctions.waitForEnd(started.executionArn!);

    // Assess
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Timeout');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('runs a schedule target on demand with the EventBridge scheduled event', async () => {
    const [result] = await stack.schedules.runNow(stack.wiring.schedules[0].logicalId);
    expect(result).toEqual({ ticked: true });
  });

  it('keeps objects, items, dead letters and executions across a restart on the same data folder', async () => {
    // Prepare
    const bucket = resourceOf(stack, 'AWS::S3::Bucket', 'Uploads').name;
    const table = resourceOf(stack, 'AWS::DynamoDB::Table', 'Items').name;
    const machineArn = resourceOf(stack, 'AWS::StepFunctions::StateMachine', 'Escalation').arn!;
    await clients(stack).sqs.send(
      new (await import('@aws-sdk/client-sqs')).SendMessageCommand({
        QueueUrl: resourceOf(stack, 'AWS::SQS::Queue', 'UploadsDlq').url!,
        MessageBody: 'kept across restart',
      }),
    );
    const pids = stack.childPids;

    // Act
    await stack.stop();
    expect(pids.every((pid) => !processAlive(pid))).toBe(true);
    const steps: string[] = [];
    stack = await startLocalStack({
      template,
      dataDir,
      repoRoot,
      onError: (e) => glueErrors.push(e),
      onProgress: (step) => steps.push(step),
    });
    const after = clients(stack);
    // a start that takes long says what it did so far (npm start prints each step)
    expect(steps).toEqual([
      expect.stringMatching(/^emulators started/),
      expect.stringMatching(
        /^resources created from the template; \d+ queued message\(s\) restored from the journal$/,
      ),
    ]);

    // Assess
    const object = await after.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'incoming/good.csv' }));
    expect(await object.Body!.transformToString()).toBe('good');
    const item = await after.dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'CUST#1' }, sk: { S: 'H#1' } } }),
    );
    expect(item.Item?.v?.N).toBe('1');
    const dead = await drain(after.sqs, resourceOf(stack, 'AWS::SQS::Queue', 'UploadsDlq').url!);
    expect(dead.map((m) => m.Body)).toContain('kept across restart');
    const executions = await after.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(executions.executions?.map((e) => `${e.name}:${e.status}`).sort()).toEqual([
      'case-answered:SUCCEEDED',
      'case-unanswered:FAILED',
    ]);
    expect((await seen(stack, 'TESTEVENT')).length).toBe(1);
  });

  it('refuses a second stack on the data folder in use, before it starts or writes anything', async () => {
    // Prepare
    const endpointsFile = join(dataDir, 'endpoints.json');
    const before = readFileSync(endpointsFile, 'utf8');

    // Act
    const second = startLocalStack({
      template,
      dataDir,
      fresh: true,
      repoRoot,
      onError: (e) => glueErrors.push(e),
    });

    // Assess
    await expect(second).rejects.toThrow(DataDirLockedError);
    await expect(second).rejects.toThrow(`a local stack (pid ${process.pid}) already runs on ${dataDir}`);
    expect(readFileSync(endpointsFile, 'utf8')).toBe(before);
    await stack.waitForIdle(); // the first still answers
  });

  it('stop leaves no emulator process behind', async () => {
    const pids = stack.childPids;
    await stack.stop();
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.every((pid) => !processAlive(pid))).toBe(true);
    expect(glueErrors.filter((e) => !String(e).includes('poison'))).toEqual([]);
  });
});
