import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/aws-clients.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';
import { LOCAL_S3_REGION, traceguardOnS3, useLocalS3 } from '../helpers/local-s3.ts';

/**
 * `traceguard reconcile --dry-run` says what the real run would do, run as the real command against
 * the S3 and SQS emulator and the manifest in DynamoDB Local: a batch re-enqueued once (ingest never
 * finished it) is still failing in the dry run as in the real one, not "would re-enqueue".
 */
const local = useLocalS3('cli-reconcile-');
const dynamo = useDynamoDbLocal('cli-reconcile-ddb-', ['manifest']);
let queueUrl = '';
const cli = (args: string[]) =>
  traceguardOnS3(local, ['reconcile', '--from-start', '--grace', '0', ...args], {
    CDR_BUCKET: 'cdr',
    MANIFEST_TABLE: 'manifest',
    INGEST_QUEUE_URL: queueUrl,
    AWS_ENDPOINT_URL_SQS: local.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });

beforeAll(async () => {
  await local.s3.send(new CreateBucketCommand({ Bucket: 'cdr' }));
  // a binary file uploaded with --no-check: ingest fails it on every delivery, so it never reaches the manifest
  await local.s3.send(
    new PutObjectCommand({ Bucket: 'cdr', Key: 'cdr/sw1/binary.csv', Body: Buffer.from([0, 1, 2, 255]) }),
  );
  const sqs = new SQSClient({
    region: LOCAL_S3_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: local.endpoint,
  });
  queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'ingest' }))).QueueUrl);
  sqs.destroy();
});

describe('traceguard reconcile --dry-run', () => {
  it('decides as the real run: would re-enqueue before the first re-enqueue, still failing after it', async () => {
    const before = await cli(['--dry-run']);
    expect(before.stdout).toMatch(/^would-requeue +cdr\/sw1\/binary\.csv/m);
    expect(before.stdout).toContain('1 would re-enqueue, 0 still failing after a re-enqueue');

    const first = await cli(['--json']);
    expect(JSON.parse(first.stdout).missing.map((m: { action: string }) => m.action)).toEqual(['requeued']);

    const dryRun = await cli(['--dry-run']);
    const real = await cli([]);
    expect(dryRun).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^still-failing +cdr\/sw1\/binary\.csv/m),
    });
    expect(dryRun.stdout).toContain('0 would re-enqueue, 1 still failing after a re-enqueue');
    expect(real).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^still-failing +cdr\/sw1\/binary\.csv/m),
    });
    expect(real.stdout).toContain('0 re-enqueued, 1 still failing after a re-enqueue');
  });
});
