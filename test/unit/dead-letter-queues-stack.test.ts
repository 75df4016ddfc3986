import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SFNClient } from '@aws-sdk/client-sfn';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTraceguardApp } from '../../infra/build-app.ts';
import { DeadLetterQueue } from '../../infra/constructs/queue-with-dlq.ts';
import { LOCAL_CREDENTIALS, localClients } from '../../local/aws-clients.ts';
import { type RunningFauxqs, startFauxqs } from '../../local/emulators/fauxqs.ts';
import { loadTemplates } from '../../local/template/cfn-template.ts';
import { TemplateResolver } from '../../local/template/intrinsics.ts';
import { createQueues } from '../../local/template/provision.ts';
import { templatesOf } from '../../local/template/synthesize.ts';
import { deadLetterQueues, rerunScheduleTarget } from '../../shared/aws/dead-letter-queues.ts';

/**
 * Every dead-letter queue the stack declares pages on-call, so `traceguard dlq` must see every one:
 * the work queues' (named by their RedrivePolicy), the SNS subscriptions' and the audit export
 * schedule's (named only on the subscription or schedule, so declared on the queue's tags). The
 * stack's queues are created as the local stack creates them, from the synthesized template, and
 * listed as the CLI lists them.
 */
const REGION = 'us-east-1';
const built = buildTraceguardApp({ context: { 'aws:cdk:bundling-stacks': [] } }, { nagChecks: false });
const declared = built.stack.node
  .findAll()
  .filter((c): c is DeadLetterQueue => c instanceof DeadLetterQueue)
  .map((q) => ({ logicalId: Stack.of(q).getLogicalId(q.node.defaultChild as CfnElement), of: q.of }));
const declaredId = (hint: string) => {
  const found = declared.filter((d) => d.logicalId.includes(hint));
  if (found.length !== 1) throw new Error(`expected one declared dead-letter queue matching ${hint}`);
  return found[0].logicalId;
};

let dir = '';
let fauxqs: RunningFauxqs;
let sqs: SQSClient;
let urls: Map<string, string>;
let clients: ReturnType<typeof localClients> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dlq-stack-'));
  fauxqs = await startFauxqs({ dataDir: dir, region: REGION, onObjectCreated: () => {} });
  // only the SQS client is used: the queues, as the local stack creates them
  const endpoint = fauxqs.endpoint;
  clients = localClients(
    { s3: endpoint, sqs: endpoint, sns: endpoint, dynamodb: endpoint, sfn: endpoint },
    REGION,
  );
  urls = await createQueues(
    new TemplateResolver(loadTemplates(templatesOf(built.app)), REGION, new Map()),
    clients,
  );
  sqs = clients.sqs;
});

afterAll(async () => {
  clients?.destroy();
  await fauxqs?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const depth = async (name: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: urls.get(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
};

describe("the stack's dead-letter queues", () => {
  it('are all found by the dlq commands, each with what it holds and where a redrive sends it', async () => {
    expect(declared).toHaveLength(13);
    const found = await deadLetterQueues(sqs);
    expect(found.map((q) => q.name).sort()).toEqual(declared.map((d) => d.logicalId).sort());
    const of = (hint: string) => found.find((q) => q.name === declaredId(hint));
    expect(of('IngestQueueDlq')).toMatchObject({ kind: 'work-queue', target: null });
    expect(of('IngestQueueDlq')?.sources.map((s) => s.name)).toEqual([
      expect.stringContaining('IngestQueue'),
    ]);
    for (const queue of ['AlertQueue', 'EscalationQueue', 'AuditQueue']) {
      const subscription = of(`${queue}SubscriptionDlq`);
      expect(subscription?.kind).toBe('sns-subscription');
      // back to the queue SNS could not deliver to, not to the queue's own dead-letter queue
      expect(subscription?.sources.map((s) => s.name)).toEqual([
        expect.stringMatching(new RegExp(`Events${queue}[0-9A-F]{8}$`)),
      ]);
    }
    expect(of('AuditExportScheduleDlq')).toMatchObject({
      kind: 'schedule',
      sources: [],
      target: expect.stringMatching(/^arn:aws:states:.*:stateMachine:.*AuditExportStateMachine/),
    });
    // each scheduled function's: a redrive invokes the function
    for (const [rule, fn] of [
      ['DayReviewScheduleDlq', 'DayReviewFunction'],
      ['DeadlineScheduleDlq', 'TracebackDeadlineFunction'],
      ['TrackRecordScheduleDlq', 'TrackRecordReviewFunction'],
      ['ReconcileScheduleDlq', 'ReconcileFunction'],
    ])
      expect(of(rule)).toMatchObject({
        kind: 'schedule',
        sources: [],
        target: expect.stringMatching(new RegExp(`^arn:aws:lambda:.*:function:.*${fn}`)),
      });
  });

  it("redrives an SNS subscription's dead letters to the queue they were for", async () => {
    const dlq = declaredId('AlertQueueSubscriptionDlq');
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.get(dlq), MessageBody: '{"type":"finding"}' }));
    const out = await traceguard(['dlq', 'redrive', dlq]);
    const alertQueue = [...urls.keys()].find((name) => /^StatelessEventsAlertQueue[0-9A-F]{8}$/.test(name));
    expect(out).toMatchObject({ code: 0, stdout: `1 message(s) moved from ${dlq} back to ${alertQueue}\n` });
    expect(await depth(dlq)).toBe(0);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urls.get(String(alertQueue)) }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['{"type":"finding"}']);
    // the part of the name a person knows names it too, as the README shows
    expect(await traceguard(['dlq', 'redrive', 'AlertQueueSubscriptionDlq'])).toMatchObject({
      code: 0,
      stdout: `0 message(s) moved from ${dlq} back to ${alertQueue}\n`,
    });
  });

  it('lists each kind as what it holds', async () => {
    const out = await traceguard(['dlq', 'list']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toHaveLength(13);
    expect(out.stdout).toMatch(
      /^StatelessEventsAuditQueueSubscriptionDlq\w+ \(SNS deliveries to StatelessEventsAuditQueue\w+ that failed\): 0 message\(s\)$/m,
    );
    expect(out.stdout).toMatch(
      /^StatelessEscalationAuditExportScheduleDlq\w+ \(runs of \w+ the schedule could not start\): 0 message\(s\)$/m,
    );
    expect(out.stdout).toMatch(
      /^StatelessIngestIngestQueueDlq\w+ \(from StatelessIngestIngestQueue\w+\): 0 message\(s\)$/m,
    );
  });

  it("reruns a schedule's missed runs by starting its state machine once, and keeps them when that fails", async () => {
    const dlq = (await deadLetterQueues(sqs)).find(
      (q) => q.kind === 'schedule' && q.target?.startsWith('arn:aws:states:'),
    );
    if (!dlq) throw new Error('no schedule dead-letter queue');
    for (const day of [1, 2])
      await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `{"missed":${day}}` }));
    const failing = { send: async () => Promise.reject(new Error('throttled')) } as unknown as SFNClient;
    await expect(rerunScheduleTarget(sqs, failing, dlq)).rejects.toThrow('throttled');
    expect(await depth(dlq.name)).toBe(2);

    const started: unknown[] = [];
    const sfn = {
      send: async (command: { input: unknown }) => {
        started.push(command.input);
        return { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x:1' };
      },
    } as unknown as SFNClient;
    expect(await rerunScheduleTarget(sqs, sfn, dlq)).toEqual({
      missed: 2,
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x:1',
    });
    expect(started).toEqual([{ stateMachineArn: dlq.target }]);
    expect(await depth(dlq.name)).toBe(0);
  });
});

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'traceguard.js');

/** The real command against this SQS emulator, from a folder with no local stack's endpoints file. */
function traceguard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}
