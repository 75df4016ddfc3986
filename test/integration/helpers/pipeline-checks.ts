import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TappedMessage } from '../../../local/demo/taps.ts';
import { sha256Hex, verifyChain } from '../../../shared/audit/chain.ts';
import { DynamoAuditStore } from '../../../shared/aws/audit-store.ts';
import { windowSk } from '../../../shared/ingest/keys.ts';
import { EXPECTED_SEVERITY, type PipelineDay } from './pipeline-day.ts';
import type { TestStack } from './test-stack.ts';

/**
 * What the pipeline must have done after a pipeline day was dropped, as checks that return the
 * problems they found (empty = as it should be). The same checks run against the stack from the
 * real template, where every list must be empty, and against a stack whose wiring was broken on
 * purpose, where the check for the broken part must complain: proof that these checks can fail.
 */
export interface Observed {
  /** every ComplianceEvents message (a test queue subscribed with raw delivery) */
  events: TappedMessage[];
  /** every OnCallTopic message */
  onCall: TappedMessage[];
}

const RANK = { low: 1, medium: 2, high: 3, critical: 4 } as const;
type Severity = keyof typeof RANK;

const findingsOf = (o: Observed) =>
  o.events
    .filter((m) => m.attributes.type === 'finding')
    .map((m) => JSON.parse(m.body) as { customer_id: string; severity: Severity; window_start: string });

export async function checkAggregates(t: TestStack, day: PipelineDay): Promise<string[]> {
  const problems: string[] = [];
  const table = t.tableName('AggregatesTable');
  const customers = new Set([...day.attempts.keys()].map((k) => k.split('|')[0]));
  for (const customer of customers) {
    const out = await t.doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': `CUST#${customer}`, ':h': 'H#' },
        ConsistentRead: true,
      }),
    );
    const stored = new Map(
      (out.Items ?? []).map((item) => [String(item.sk), Number(JSON.parse(String(item.w)).attempts)]),
    );
    for (const [key, attempts] of day.attempts) {
      const [c, hourMs] = key.split('|');
      if (c !== customer) continue;
      const sk = windowSk('', Number(hourMs));
      const got = stored.get(sk);
      if (got !== attempts)
        problems.push(`aggregates: ${customer} ${sk} has ${got ?? 'no'} attempts, dropped ${attempts}`);
      stored.delete(sk);
    }
    for (const sk of stored.keys()) problems.push(`aggregates: ${customer} has a window ${sk} no batch had`);
  }
  return problems;
}

export async function checkManifest(t: TestStack, day: PipelineDay): Promise<string[]> {
  const problems: string[] = [];
  const out = await t.doc.send(
    new ScanCommand({
      TableName: t.tableName('ManifestTable'),
      FilterExpression: 'sk = :batch',
      ExpressionAttributeValues: { ':batch': 'BATCH' },
      ConsistentRead: true,
    }),
  );
  const byKey = new Map((out.Items ?? []).map((item) => [String(item.key), item]));
  for (const b of day.batches) {
    const item = byKey.get(b.key);
    if (!item) {
      problems.push(`manifest: no item for ${b.key}`);
      continue;
    }
    const [rows, calls, quarantined] = [Number(item.rows), Number(item.calls), Number(item.quarantined)];
    if (item.status !== 'done') problems.push(`manifest: ${b.key} is ${item.status}, not done`);
    if (rows !== calls + quarantined)
      problems.push(`manifest: ${b.key} rows ${rows} != calls ${calls} + quarantined ${quarantined}`);
    if (calls !== b.calls || quarantined !== b.quarantined)
      problems.push(
        `manifest: ${b.key} has ${calls} calls / ${quarantined} quarantined, dropped ${b.calls} / ${b.quarantined}`,
      );
  }
  const poison = byKey.get(day.poison.key);
  if (poison?.status === 'done') problems.push(`manifest: unreadable ${day.poison.key} is marked done`);
  return problems;
}

export async function checkQuarantine(t: TestStack, day: PipelineDay): Promise<string[]> {
  const problems: string[] = [];
  const bucket = t.stack.outputs.CdrBucketName;
  for (const b of day.batches) {
    const key = `quarantine/${b.key}`;
    if (b.quarantined === 0) {
      const exists = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
        () => true,
        () => false,
      );
      if (exists) problems.push(`quarantine: ${key} exists for a batch without bad rows`);
      continue;
    }
    const text = await t.s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      .then((o) => o.Body?.transformToString() ?? '')
      .catch(() => null);
    if (text === null) {
      problems.push(`quarantine: no ${key} for a batch with ${b.quarantined} bad rows`);
      continue;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    // a header plus one line per bad row, each naming its line number and what was wrong
    if (!/start_time/.test(text) || !/customer_id/.test(text) || lines.length < b.quarantined)
      problems.push(`quarantine: ${key} does not name both bad rows: ${text.slice(0, 300)}`);
  }
  return problems;
}

export function checkFindings(o: Observed): string[] {
  const problems: string[] = [];
  const highest = new Map<string, Severity>();
  for (const f of findingsOf(o)) {
    const seen = highest.get(f.customer_id);
    if (!seen || RANK[f.severity] > RANK[seen]) highest.set(f.customer_id, f.severity);
  }
  for (const [customer, expected] of Object.entries(EXPECTED_SEVERITY)) {
    const got = highest.get(customer) ?? null;
    if (got !== expected)
      problems.push(
        `findings: ${customer} reached ${got ?? 'no finding'}, expected ${expected ?? 'no finding'}`,
      );
  }
  for (const m of o.events.filter((e) => e.attributes.type === 'finding')) {
    const f = JSON.parse(m.body) as { severity: Severity };
    if (m.attributes.severity_rank !== String(RANK[f.severity]))
      problems.push(`findings: severity_rank ${m.attributes.severity_rank} on a ${f.severity} finding`);
  }
  return problems;
}

/** on-call gets one alert per finding of medium or above, and nothing for low ones */
export function checkOnCall(o: Observed): string[] {
  const findings = findingsOf(o).filter((f) => RANK[f.severity] >= RANK.medium);
  const want = findings.map((f) => `${f.customer_id}/${f.severity}`).sort();
  // a customer is paged once per episode: by an alert, or by its case's "needs review" page when
  // the finding opened a case
  const pages = o.onCall.filter((m) => m.attributes.type === 'alert' || m.attributes.type === 'case');
  const got = pages
    .map(
      (m) => `${m.attributes.customer_id}/${m.attributes.type === 'case' ? 'case' : m.attributes.severity}`,
    )
    .sort();
  const wanted = new Set(findings.map((f) => f.customer_id));
  const paged = new Set(pages.map((m) => m.attributes.customer_id));
  const ok = wanted.size === paged.size && [...wanted].every((c) => paged.has(c));
  return ok
    ? []
    : [
        `on-call: alerts ${got.join(', ') || 'none'}; findings of medium or above ${want.join(', ') || 'none'}`,
      ];
}

/** cases open only for customers with a high or critical finding; each starts one execution */
export async function checkEscalation(t: TestStack, o: Observed): Promise<string[]> {
  const problems: string[] = [];
  const want = [
    ...new Set(
      findingsOf(o)
        .filter((f) => RANK[f.severity] >= RANK.high)
        .map((f) => f.customer_id),
    ),
  ].sort();
  const cases = await casesIn(t);
  const got = cases.map((c) => String(c.customerId)).sort();
  if (JSON.stringify(got) !== JSON.stringify(want))
    problems.push(
      `escalation: cases for ${got.join(', ') || 'nobody'}; high or critical findings for ${want.join(', ') || 'nobody'}`,
    );
  const executions = t.stack.stepFunctions.list(t.stack.outputs.StateMachineArn).map((e) => e.name);
  for (const c of cases)
    if (!executions.includes(String(c.caseId)))
      problems.push(`escalation: no escalation execution named ${c.caseId} for ${c.customerId}`);
  return problems;
}

/** every ComplianceEvents message is in the `events` audit chain (by body digest), and it verifies */
export async function checkAudit(t: TestStack, o: Observed): Promise<string[]> {
  const store = new DynamoAuditStore(t.doc, t.tableName('AuditTable'));
  const records = await store.list('events');
  const verdict = verifyChain('events', records);
  const problems: string[] = verdict.ok
    ? []
    : [`audit: events chain broken at ${verdict.brokenAt}: ${verdict.problem}`];
  const digests = (records as Array<{ evidenceDigest?: string }>).map((r) => r.evidenceDigest).sort();
  const bodies = o.events.map((m) => sha256Hex(m.body)).sort();
  if (JSON.stringify(digests) !== JSON.stringify(bodies))
    problems.push(
      `audit: ${records.length} event records for ${o.events.length} ComplianceEvents messages (or different bodies)`,
    );
  return problems;
}

/** the unreadable batch ends in the ingest DLQ after maxReceiveCount receives, and nothing is left queued */
export async function checkDeadLetter(t: TestStack, day: PipelineDay): Promise<string[]> {
  const problems: string[] = [];
  const dlqUrl = t.resource('AWS::SQS::Queue', 'IngestQueueDlq').ref;
  const { Messages = [] } = await t.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0, // only looking
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  const keys = Messages.flatMap((m) =>
    (
      (JSON.parse(m.Body ?? '{}') as { Records?: Array<{ s3: { object: { key: string } } }> }).Records ?? []
    ).map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '))),
  );
  if (JSON.stringify(keys) !== JSON.stringify([day.poison.key]))
    problems.push(`dead letter: ingest DLQ holds [${keys.join(', ')}], expected [${day.poison.key}]`);
  const { Attributes = {} } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: t.stack.outputs.IngestQueueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'RedrivePolicy',
      ],
    }),
  );
  const left =
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  if (left !== 0) problems.push(`dead letter: ${left} messages still on the ingest queue`);
  const maxReceives = Number(JSON.parse(Attributes.RedrivePolicy ?? '{}').maxReceiveCount);
  const received = Number(Messages[0]?.Attributes?.ApproximateReceiveCount ?? 0);
  if (Messages.length && received < maxReceives)
    problems.push(`dead letter: moved after ${received} receives, maxReceiveCount is ${maxReceives}`);
  return problems;
}

export async function casesIn(t: TestStack): Promise<Array<Record<string, unknown>>> {
  const out = await t.doc.send(
    new ScanCommand({
      TableName: t.tableName('CasesTable'),
      FilterExpression: 'sk = :case',
      ExpressionAttributeValues: { ':case': 'CASE' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

export async function customerStatus(t: TestStack, customerId: string): Promise<string | undefined> {
  const out = await t.doc.send(
    new GetCommand({
      TableName: t.tableName('CustomersTable'),
      Key: { pk: `CUST#${customerId}`, sk: 'PROFILE' },
      ConsistentRead: true,
    }),
  );
  return out.Item?.status as string | undefined;
}
