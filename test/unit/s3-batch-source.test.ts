import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3BatchSource } from '../../shared/aws/batch-source.ts';
import { useLocalS3 } from '../helpers/local-s3.ts';

/** Quarantine objects as ingest writes them, on the local stack's S3 emulator (fauxqs, in this process). */
const local = useLocalS3('s3-batch-source-');
const BUCKET = 'cdr';
const KEY = 'quarantine/cdr/sbc-1/day.csv';

beforeAll(async () => {
  await local.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

async function stored(key: string): Promise<string> {
  const out = await local.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

describe('S3BatchSource.writeQuarantine', () => {
  it('writes the quarantine object as given', async () => {
    const body = '{"line":2,"reason":"no offset","raw":"a,b"}\n';
    await new S3BatchSource(local.s3).writeQuarantine(BUCKET, KEY, body);
    expect(await stored(KEY)).toBe(body);
  });

  it('writes a quarantine object bigger than the 11 MiB the emulator took in one request, as S3 does (5 GiB)', async () => {
    // every row of a 40,000-row batch without a time offset: a 14 MB object, one PutObject
    const line = `${JSON.stringify({ line: 2, reason: 'start_time has no UTC offset', raw: 'x'.repeat(300) })}\n`;
    const body = line.repeat(Math.ceil((12 * 1024 * 1024) / line.length));
    await new S3BatchSource(local.s3).writeQuarantine(BUCKET, `${KEY}.part-1`, body);
    expect(await stored(`${KEY}.part-1`)).toBe(body);
  });

  it('a failed write names the operation, the object and its size, and keeps the SDK error as its cause', async () => {
    const failed = await new S3BatchSource(local.s3).writeQuarantine('no-such-bucket', KEY, 'x\n').then(
      () => null,
      (error: Error) => error,
    );
    expect(failed?.name).toBe('S3CallError');
    expect(failed?.message).toMatch(
      /^S3 PutObject s3:\/\/no-such-bucket\/quarantine\/cdr\/sbc-1\/day\.csv \(2 bytes\) failed: HTTP 404, NoSuchBucket: /,
    );
    expect((failed?.cause as Error | undefined)?.name).toBe('NoSuchBucket');
  });
});

describe('S3BatchSource.open', () => {
  it('a failed read names the operation and the object; a version gone since the event is null', async () => {
    const source = new S3BatchSource(local.s3);
    const object = { key: 'cdr/sbc-1/day.csv', versionId: null, etag: 'abc', size: 1 };
    const failed = await source.open({ ...object, bucket: 'no-such-bucket' }).then(
      () => null,
      (error: Error) => error,
    );
    expect(failed?.message).toMatch(
      /^S3 GetObject s3:\/\/no-such-bucket\/cdr\/sbc-1\/day\.csv failed: HTTP 404, NoSuchBucket: /,
    );
    expect(await source.open({ ...object, bucket: BUCKET, key: 'cdr/sbc-1/gone.csv' })).toBeNull();
  });
});
