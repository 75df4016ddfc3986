import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../local/aws-clients.ts';
import { FaultPlan, startFaultProxy } from '../../local/faults/fault-proxy.ts';
import { queueDepth } from '../../local/queue-depth.ts';
import { type LocalResource, type LocalStack, startLocalStack } from '../../local/stack.ts';
import type { NamedTemplate } from '../../local/template/cfn-template.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { documentClientOf } from '../../shared/aws/clients.ts';

/**
 * The whole Traceguard stack on the local emulators (synthesized template, real handlers), with a
 * fault-injecting proxy between the handlers and DynamoDB Local and another between the handlers
 * and SNS, a tap queue subscribed to ComplianceEvents (every published message, unfiltered) and
 * clients to inspect tables, queues and objects. Ingest's timeout and queue visibility are shortened
 * so retries after a crash or timeout take seconds, not the deployed 30 minutes; nothing else changes.
 */
export const INGEST_ENTRY = 'functions/ingest/handler.ts';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface IngestTiming {
  /** Timeout of every SQS-triggered function (deployed ingest: 300 s) */
  timeoutSeconds: number;
  /** VisibilityTimeout of their queues (deployed IngestQueue: 1800 s); must exceed the timeout */
  visibilitySeconds: number;
}

/** Ingest function, its queue and DLQ as logical ids of the synthesized template. */
export function ingestWiring(templates: NamedTemplate[]) {
  for (const { template } of templates) {
    const resources = (template as { Resources: Record<string, CfnResource> }).Resources;
    const fn = Object.entries(resources).find(([, r]) => r.Metadata?.['traceguard:entry'] === INGEST_ENTRY);
    if (!fn) continue;
    const mapping = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        (r.Properties?.FunctionName as { Ref?: string })?.Ref === fn[0],
    );
    const queueId = (mapping?.Properties?.EventSourceArn as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
    if (!queueId) throw new Error(`no SQS event source mapping for ${fn[0]} (${INGEST_ENTRY})`);
    const redrive = resources[queueId].Properties?.RedrivePolicy as {
      deadLetterTargetArn: { 'Fn::GetAtt': string[] };
      maxReceiveCount: number;
    };
    return {
      resources,
      functionId: fn[0],
      queueId,
      dlqId: redrive.deadLetterTargetArn['Fn::GetAtt'][0],
      maxReceiveCount: redrive.maxReceiveCount,
    };
  }
  throw new Error(`no Lambda function with traceguard:entry ${INGEST_ENTRY} in the template`);
}

/**
 * A copy of the templates where every SQS-triggered function has this timeout and its queue this
 * visibility timeout (retries after a failure come seconds later instead of up to 30 minutes).
 */
export function withShortTimeouts(templates: NamedTemplate[], timing: IngestTiming): NamedTemplate[] {
  const copy = structuredClone(templates);
  for (const { template } of copy) {
    const resources = (template as { Resources: Record<string, CfnResource> }).Resources;
    for (const mapping of Object.values(resources)) {
      if (mapping.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const fnId = (mapping.Properties?.FunctionName as { Ref?: string })?.Ref;
      const queueId = (mapping.Properties?.EventSourceArn as { 'Fn::GetAtt'?: string[] })?.[
        'Fn::GetAtt'
      ]?.[0];
      if (!fnId || !queueId || resources[queueId]?.Type !== 'AWS::SQS::Queue') continue;
      (resources[fnId].Properties as Record<string, unknown>).Timeout = timing.timeoutSeconds;
      (resources[queueId].Properties as Record<string, unknown>).VisibilityTimeout = timing.visibilitySeconds;
    }
  }
  const { resources, functionId } = ingestWiring(copy);
  const fn = resources[functionId].Properties as { Environment?: { Variables?: Record<string, unknown> } };
  // cut a part only when under a second is left (the deployed margin is a minute of a 5 minute budget)
  fn.Environment ??= {};
  fn.Environment.Variables = { ...fn.Environment.Variables, INGEST_TIME_MARGIN_MS: '1000' };
  return copy;
}

/** Every dead-letter queue of the template (logical id -> the queue it serves). */
export function deadLetterQueues(templates: NamedTemplate[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { template } of templates) {
    const resources = (template as { Resources: Record<string, CfnResource> }).Resources;
    for (const [id, r] of Object.entries(resources)) {
      const target = (r.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt'?: string[] } })
        ?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
      if (r.Type === 'AWS::SQS::Queue' && target) out.set(target, id);
    }
  }
  return out;
}

export interface FaultStack {
  stack: LocalStack;
  /** faults on the handlers' DynamoDB and SNS calls */
  plan: FaultPlan;
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  ingestFunction: string;
  ingestQueueUrl: string;
  ingestDlqUrl: string;
  maxReceiveCount: number;
  resources: Record<string, CfnResource>;
  dlqId: string;
  /** DLQ logical id -> logical id of the queue it serves */
  deadLetterQueues: Map<string, string>;
  table(logicalPart: string): string;
  put(key: string, body: string | Buffer): Promise<void>;
  /** the S3 event of an object delivered once more (SQS at-least-once) */
  redeliver(key: string): Promise<void>;
  scan(table: string): Promise<Array<Record<string, unknown>>>;
  /** every message published to ComplianceEvents since the start (cumulative) */
  published(): Promise<Array<Record<string, unknown>>>;
  queueDepth(url: string): Promise<number>;
  /** resolves once these objects' manifest items are done */
  batchesDone(keys: string[], timeoutMs?: number): Promise<void>;
  glueErrors: unknown[];
  stop(): Promise<void>;
}

function resourceNamed(stack: LocalStack, type: string, logicalPart: string): LocalResource {
  const found = Object.entries(stack.resources).filter(
    ([id, r]) => r.type === type && id.includes(logicalPart) && !id.includes('Dlq'),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} ${logicalPart}, found ${found.length}`);
  return found[0][1];
}

export async function startFaultStack(options: {
  repoRoot: string;
  /** shortened timeouts for fault runs; leave out to keep the template's own (load runs) */
  timing?: IngestTiming;
  /** put the fault proxies between handlers and DynamoDB / SNS (default true) */
  proxies?: boolean;
  /** extra handler for glue errors (handler failures are normal under faults) */
  onError?: (error: unknown) => void;
}): Promise<FaultStack> {
  const work = mkdtempSync(join(tmpdir(), 'traceguard-reliability-'));
  const synthesized = await synthesizeTemplate(options.repoRoot);
  const templates = options.timing ? withShortTimeouts(synthesized, options.timing) : synthesized;
  const wiring = ingestWiring(templates);
  const plan = new FaultPlan();
  const glueErrors: unknown[] = [];
  const proxies: Array<{ close(): Promise<void> }> = [];
  const stack = await startLocalStack({
    template: templates,
    dataDir: join(work, 'data'),
    fresh: true,
    repoRoot: options.repoRoot,
    onError: (e) => {
      glueErrors.push(e);
      options.onError?.(e);
    },
    handlerEndpoints: async (emulators) => {
      if (options.proxies === false) return {};
      const dynamodb = await startFaultProxy({ service: 'dynamodb', target: emulators.dynamodb, plan });
      const sns = await startFaultProxy({ service: 'sns', target: emulators.sns, plan });
      proxies.push(dynamodb, sns);
      return { dynamodb: dynamodb.endpoint, sns: sns.endpoint };
    },
  });
  const common = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb });
  const doc = documentClientOf(dynamodb);
  const s3 = new S3Client({ ...common, endpoint: stack.endpoints.s3, forcePathStyle: true });
  const sqs = new SQSClient({ ...common, endpoint: stack.endpoints.sqs });
  const sns = new SNSClient({ ...common, endpoint: stack.endpoints.sns });
  const bucket = resourceNamed(stack, 'AWS::S3::Bucket', 'CdrBucket').name;
  const ingestQueueUrl = String(stack.resources[wiring.queueId].url);
  const ingestDlqUrl = String(stack.resources[wiring.dlqId].url);
  const topicArn = resourceNamed(stack, 'AWS::SNS::Topic', 'ComplianceEvents').ref;

  const tap = await sqs.send(new CreateQueueCommand({ QueueName: 'reliability-tap' }));
  const tapUrl = String(tap.QueueUrl);
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:000000000000:reliability-tap',
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const tapped: Array<Record<string, unknown>> = [];
  const scanTable = async (table: string) => {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const depthOf = (url: string) => queueDepth(sqs, url);

  return {
    stack,
    plan,
    doc,
    s3,
    sqs,
    bucket,
    ingestFunction: stack.resources[wiring.functionId].name,
    ingestQueueUrl,
    ingestDlqUrl,
    maxReceiveCount: wiring.maxReceiveCount,
    resources: wiring.resources,
    dlqId: wiring.dlqId,
    deadLetterQueues: deadLetterQueues(templates),
    glueErrors,
    table: (logicalPart) => resourceNamed(stack, 'AWS::DynamoDB::Table', logicalPart).name,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async redeliver(key) {
      // an exact copy of the S3 event already delivered: same version id and ETag (read back from the
      // manifest item the first delivery wrote), as SQS at-least-once delivery would hand it out again
      const manifestTable = resourceNamed(stack, 'AWS::DynamoDB::Table', 'ManifestTable').name;
      let item: Record<string, unknown> | undefined;
      for (let attempt = 0; !item && attempt < 400; attempt++) {
        const page = await doc.send(
          new ScanCommand({
            TableName: manifestTable,
            FilterExpression: '#k = :k AND sk = :batch',
            ExpressionAttributeNames: { '#k': 'key' },
            ExpressionAttributeValues: { ':k': key, ':batch': 'BATCH' },
          }),
        );
        item = page.Items?.[0];
        if (!item) await new Promise((r) => setTimeout(r, 25));
      }
      if (!item) throw new Error(`no manifest item for ${key}: the first delivery never started`);
      const object: Record<string, unknown> = { key, size: item.size, eTag: item.etag };
      if (item.versionId) object.versionId = item.versionId;
      const message = JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: new Date().toISOString(),
            eventName: 'ObjectCreated:Put',
            s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object },
          },
        ],
      });
      await sqs.send(new SendMessageCommand({ QueueUrl: ingestQueueUrl, MessageBody: message }));
    },
    scan: scanTable,
    async published() {
      for (;;) {
        const got = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: tapUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 3600 }),
        );
        const messages = got.Messages ?? [];
        if (messages.length === 0) return tapped;
        for (const m of messages) tapped.push(JSON.parse(String(m.Body)));
      }
    },
    queueDepth: depthOf,
    async batchesDone(keys, timeoutMs = 60_000) {
      const manifestTable = resourceNamed(stack, 'AWS::DynamoDB::Table', 'ManifestTable').name;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const items = await scanTable(manifestTable);
        const done = new Set(items.filter((i) => i.sk === 'BATCH' && i.status === 'done').map((i) => i.key));
        if (keys.every((k) => done.has(k))) return;
        if (Date.now() > deadline)
          throw new Error(
            `batches not done after ${timeoutMs} ms: ${keys.filter((k) => !done.has(k)).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await stack.stop();
      for (const p of proxies) await p.close();
      for (const c of [dynamodb, s3, sqs, sns]) c.destroy();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
