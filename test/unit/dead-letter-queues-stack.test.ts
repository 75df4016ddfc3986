import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
import { deadLetterQueues, scheduleDeadLetters } from '../../shared/aws/dead-letter-queues.ts';
import { rerunSchedule } from '../../shared/dead-letters/rerun-schedule.ts';

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
    const failing = { run: async () => Promise.reject(new Error('throttled')) };
    await expect(rerunSchedule(scheduleDeadLetters(sqs, dlq), failing, String(dlq.target))).rejects.toThrow(
      'throttled',
    );
    expect(await depth(dlq.name)).toBe(2);

    const started: string[] = [];
    const runner = {
      run: async (target: string) => {
        started.push(target);
        return 'execution arn:aws:states:us-east-1:000000000000:execution:x:1';
      },
    };
    expect(await rerunSchedule(scheduleDeadLetters(sqs, dlq), runner, String(dlq.target))).toEqual({
      missed: 2,
      run: 'execution arn:aws:states:us-east-1:000000000000:execution:x:1',
    });
    expect(started).toEqual([dlq.target]);
    expect(await depth(dlq.name)).toBe(0);
  });

  it("redrives a scheduled function's missed runs by invoking it once, now, with a fresh scheduled event", async () => {
    const dlq = declaredId('DeadlineScheduleDlq');
    const missed = (time: string) =>
      JSON.stringify({ version: '0', id: `old-${time}`, 'detail-type': 'Scheduled Event', time, detail: {} });
    for (const time of ['2026-01-05T10:00:00Z', '2026-01-05T10:15:00Z'])
      await sqs.send(new SendMessageCommand({ QueueUrl: urls.get(dlq), MessageBody: missed(time) }));
    const lambda = await fakeLambda();
    try {
      // the function fails: the dead letters stay, and the command says so
      lambda.failWith = { errorType: 'Error', errorMessage: 'tracebacks table unreachable' };
      const failed = await traceguard(['dlq', 'redrive', 'DeadlineScheduleDlq'], lambda.endpoint);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(
        /failed \(the function failed: Error: tracebacks table unreachable\); its 2 dead letter\(s\) are left in the queue for the next redrive/,
      );
      expect(await depth(dlq)).toBe(2);

      lambda.failWith = undefined;
      lambda.invoked.length = 0;
      const before = Date.now();
      const out = await traceguard(['dlq', 'redrive', 'DeadlineScheduleDlq'], lambda.endpoint);
      expect(out).toMatchObject({ code: 0 });
      expect(out.stdout).toMatch(
        new RegExp(
          `^2 missed run\\(s\\) in ${dlq}: invoked \\S*TracebackDeadlineFunction\\S* once, now \\(request r-1\\), which does the work of each; the dead letters are deleted\n$`,
        ),
      );
      expect(lambda.invoked).toHaveLength(1);
      const [{ functionName, event }] = lambda.invoked;
      expect(functionName).toMatch(/^arn:aws:lambda:.*:function:.*TracebackDeadlineFunction/);
      expect(event).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
      // fresh: timed now, not at a missed run
      expect(Date.parse(String(event.time))).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(String(event.id)).not.toMatch(/^old-/);
      expect(await depth(dlq)).toBe(0);
    } finally {
      await lambda.close();
    }
  });
});

/** Lambda's Invoke API, as far as the CLI uses it: records each invocation, answers or fails it. */
async function fakeLambda() {
  const invoked: Array<{ functionName: string; event: Record<string, unknown> }> = [];
  const state: { failWith?: { errorType: string; errorMessage: string } } = {};
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '');
      if (!match) {
        response.writeHead(404).end();
        return;
      }
      invoked.push({ functionName: decodeURIComponent(match[1]), event: JSON.parse(body) });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amzn-requestid': `r-${invoked.length}`,
      };
      if (state.failWith) headers['x-amz-function-error'] = 'Unhandled';
      response.writeHead(200, headers).end(JSON.stringify(state.failWith ?? { ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    invoked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'traceguard.js');

/** The real command against this SQS emulator, from a folder with no local stack's endpoints file. */
function traceguard(
  args: string[],
  lambdaEndpoint?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      ...(lambdaEndpoint ? { AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint } : {}),
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}
