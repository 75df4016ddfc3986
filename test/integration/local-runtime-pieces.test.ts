import { describe, expect, it } from 'vitest';
import { eventMatches } from '../../local/glue/s3-notifications.ts';
import { rateToMs } from '../../local/glue/schedules.ts';
import {
  injectTaskToken,
  prepareDefinition,
  TASK_TOKEN_PLACEHOLDER,
} from '../../local/glue/sfn/definition.ts';
import { TaskTokenRegistry } from '../../local/glue/sfn/task-tokens.ts';
import { successfulMessages } from '../../local/glue/sqs-event-source.ts';
import { loadTemplates } from '../../local/template/cfn-template.ts';
import { TemplateResolver } from '../../local/template/intrinsics.ts';
import { encodeS3Key as encodeS3EventKey } from '../../shared/ingest/messages.ts';

describe('local runtime pieces', () => {
  it('encodes S3 event keys like S3 does', () => {
    expect(encodeS3EventKey('cdr/sbc east/a+b (1)*_.csv')).toBe('cdr/sbc+east/a%2Bb+%281%29*_.csv');
    expect(encodeS3EventKey('cdr/é.csv')).toBe('cdr/%C3%A9.csv');
  });

  it('matches S3 event name patterns', () => {
    expect(eventMatches('s3:ObjectCreated:*', 'ObjectCreated:Put')).toBe(true);
    expect(eventMatches('s3:ObjectCreated:Post', 'ObjectCreated:Put')).toBe(false);
  });

  it('deletes only successful messages, and none when a failure id is invalid', () => {
    const messages = [{ MessageId: 'a' }, { MessageId: 'b' }];
    const failed = { ok: true as const, result: { batchItemFailures: [{ itemIdentifier: 'b' }] } };
    expect(successfulMessages(messages, failed, true)).toEqual([{ MessageId: 'a' }]);
    expect(successfulMessages(messages, failed, false)).toEqual(messages);
    expect(
      successfulMessages(
        messages,
        { ok: true, result: { batchItemFailures: [{ itemIdentifier: '' }] } },
        true,
      ),
    ).toEqual([]);
    expect(successfulMessages(messages, { ok: false }, true)).toEqual([]);
  });

  it('reads rate() schedules and leaves cron() to on-demand runs', () => {
    expect(rateToMs('rate(15 minutes)')).toBe(900_000);
    expect(rateToMs('rate(1 hour)')).toBe(3_600_000);
    expect(rateToMs('cron(0 * * * ? *)')).toBeUndefined();
  });

  it('resolves intrinsics and names the template path it cannot resolve', () => {
    const templates = loadTemplates({
      Resources: {
        Q: { Type: 'AWS::SQS::Queue' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not JS
        T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${AWS::StackName}-events' } } },
        F: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                QUEUE: { Ref: 'Q' },
                ARN: { 'Fn::Join': ['', ['x-', { 'Fn::GetAtt': ['Q', 'Arn'] }]] },
                TOPIC: { Ref: 'T' },
                BAD: { 'Fn::GetAtt': ['Missing', 'Arn'] },
              },
            },
          },
        },
      },
    });
    const resolver = new TemplateResolver(
      templates,
      'us-east-1',
      new Map([['Q', 'http://local/000000000000/Q']]),
    );
    const variables = 'Resources.F.Properties.Environment.Variables';
    const env = templates.resources.get('F')?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(resolver.resolve(env.Variables.QUEUE, variables)).toBe('http://local/000000000000/Q');
    expect(resolver.resolve(env.Variables.ARN, variables)).toBe('x-arn:aws:sqs:us-east-1:000000000000:Q');
    expect(resolver.resolve(env.Variables.TOPIC, variables)).toBe(
      'arn:aws:sns:us-east-1:000000000000:Traceguard-events',
    );
    expect(() => resolver.resolve(env.Variables.BAD, `${variables}.BAD`)).toThrow(
      /Variables\.BAD\.Fn::GetAtt: no resource with logical ID Missing/,
    );
  });

  it('replaces $$.Task.Token and gives tasks without TimeoutSeconds the longest timer', () => {
    const { definition, tasks } = prepareDefinition(
      {
        StartAt: 'Wait',
        States: {
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
            Parameters: { Message: { 'token.$': '$$.Task.Token' } },
            End: true,
          },
        },
      },
      'test',
    );
    const state = (definition.States as Record<string, Record<string, unknown>>).Wait;
    expect(state.Parameters).toEqual({ Message: { token: TASK_TOKEN_PLACEHOLDER } });
    expect(tasks.get('Wait')?.timeoutSeconds).toBe(2_147_483);
    expect(injectTaskToken(state.Parameters, 'tok')).toEqual({ Message: { token: 'tok' } });
  });

  it('answers callbacks once and tells a timed-out token from an unknown one', async () => {
    const tokens = new TaskTokenRegistry();
    const answered = tokens.park('t1', { executionArn: 'e', stateName: 's', timeoutSeconds: 5 });
    tokens.succeed('t1', { ok: true });
    await expect(answered).resolves.toEqual({ ok: true });
    expect(() => tokens.succeed('t1', {})).toThrow(/already ended/);
    const expiring = tokens.park('t2', { executionArn: 'e', stateName: 's', timeoutSeconds: 0.05 });
    await expect(expiring).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(() => tokens.succeed('t2', {})).toThrow(/timed out/);
    expect(() => tokens.succeed('nope', {})).toThrow(/unknown task token/);
  });

  it('counts a restored task token timeout from when the task was parked first, not from the restart', async () => {
    const tokens = new TaskTokenRegistry();
    const task = { executionArn: 'e', stateName: 's', timeoutSeconds: 3600 };
    // parked an hour minus 50 ms before the restart: 50 ms are left
    const restored = tokens.park('t3', task, 3600 - 0.05);
    await expect(restored).rejects.toMatchObject({ name: 'States.Timeout' });
    const overdue = tokens.park('t4', task, 7200);
    await expect(overdue).rejects.toMatchObject({ name: 'States.Timeout' });
    const fresh = tokens.park('t5', task, 0);
    tokens.succeed('t5', 'yes');
    await expect(fresh).resolves.toBe('yes');
  });
});
