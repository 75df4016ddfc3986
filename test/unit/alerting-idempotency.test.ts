import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningDynamoDb, startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { createPkSkTable } from '../helpers/dynamodb-tables.ts';

/**
 * notify-oncall and write-audit, the real handlers with Powertools idempotency against DynamoDB
 * Local: one ComplianceEvents publish delivered twice (two SQS messages, same body, different ids,
 * in one batch and again in a later invocation) pages once and is audited once.
 */
let dynamo: RunningDynamoDb;
let dataDir: string;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const FINDING = JSON.stringify({
  type: 'finding',
  customer_id: 'C042',
  // medium: a high finding with no open case is paged by the case it opens, not by notify-oncall
  severity: 'medium',
  severity_rank: 2,
  score: 51,
  window_start: '2026-12-01T14:00:00Z',
  window_end: '2026-12-01T15:00:00Z',
  reasons: [{ code: 'SHORT_DURATION', detail: '92% of answered calls under 6 s' }],
  metrics: { calls: 4200, answered: 1900 },
  batch: 'cdr/sw-1/batch-0001.csv',
});

const delivery = (...messageIds: string[]): SQSEvent => ({
  Records: messageIds.map((messageId) => ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: FINDING,
    attributes: {} as never,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:AlertQueue',
    awsRegion: 'us-east-1',
  })),
});

const context = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random()}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
  }) as Context;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'traceguard-idempotency-'));
  dynamo = await startDynamoDb({ dataDir });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  for (const table of ['Audit', 'Idempotency', 'Cases']) await createPkSkTable(client, table);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AUDIT_TABLE: 'Audit',
    IDEMPOTENCY_TABLE: 'Idempotency',
    CASES_TABLE: 'Cases',
    ONCALL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:OnCallTopic',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a duplicated ComplianceEvents publish', () => {
  it('pages on-call once', async () => {
    const publish = vi.spyOn(SNSClient.prototype, 'send').mockResolvedValue({ MessageId: 'm' } as never);
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'notify-oncall';
    const { handler } = await import('../../functions/notify-oncall/handler.ts');

    // both copies in one batch, handled in parallel: the one that finds the other in progress fails
    // and is redelivered by SQS; handled again, it returns the first result without paging
    const first = await handler(delivery('msg-1', 'msg-2'), context('notify-oncall'));
    expect(first.batchItemFailures.length).toBeLessThanOrEqual(1);
    const redelivered = first.batchItemFailures.map((f) => f.itemIdentifier);
    const later = await handler(delivery(...redelivered, 'msg-3'), context('notify-oncall'));

    expect(later).toEqual({ batchItemFailures: [] });
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('adds one record to the audit chain', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'write-audit';
    const { handler } = await import('../../functions/write-audit/handler.ts');

    // write-audit handles a batch in order, so the second copy already finds the first one done
    expect(await handler(delivery('msg-1', 'msg-2'), context('write-audit'))).toEqual({
      batchItemFailures: [],
    });
    expect(await handler(delivery('msg-3'), context('write-audit'))).toEqual({ batchItemFailures: [] });

    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
    );
    const records = await new DynamoAuditStore(doc, 'Audit').list('events');
    expect(records).toHaveLength(1);
  });
});
