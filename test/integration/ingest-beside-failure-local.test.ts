import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerFailure } from '../../local/glue/handler-failure.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * Good batches ingested while an unreadable one fails, through the local stack from the synthesized
 * template (the event source's pollers run the real ingest function side by side): only the unreadable
 * batch is reported failed, with its own error, and only its message waits for a retry.
 */
let t: TestStack;
const GARBAGE = 'cdr/sbc-east-1/garbage.csv';
const GOOD = ['cdr/sbc-west-1/big2.csv', 'cdr/sbc-west-1/small2.csv'];

beforeAll(async () => {
  t = await startTestStack({ prefix: 'beside-failure', template: await synthesizeTemplate(repoRoot) });
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

function goodCsv(prefix: string, rows: number): string {
  const lines = ['call_id,start_time,customer_id,calling_number,called_number,sip_code,duration_s'];
  for (let i = 0; i < rows; i++) {
    const n = String(i).padStart(4, '0').slice(-4);
    lines.push(
      `${prefix}${i},2026-11-08T${String(i % 24).padStart(2, '0')}:00:00Z,C${i % 50},+1212736${n},+1312436${n},200,${i % 60}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('a batch that fails beside good ones', () => {
  it('is the only one reported failed, and with its own error', async () => {
    const bucket = t.stack.outputs.CdrBucketName;
    await Promise.all(
      GOOD.map((key, i) =>
        t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: goodCsv(`g${i}-`, 5_000) })),
      ),
    );
    // an unreadable batch (semicolons), failing at its first line while the good ones are being read
    await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: GARBAGE, Body: 'a;b;c\n1;2;3\n'.repeat(200) }),
    );
    await t.stack.waitForIdle({ timeoutMs: 120_000, exceptRetrying: true });

    const failures = t.glueErrors.map((error) => {
      if (!(error instanceof HandlerFailure)) throw error;
      return { keys: error.messages.flatMap((m) => m.keys), message: error.message };
    });
    expect(failures).toEqual([{ keys: [GARBAGE], message: expect.stringContaining(GARBAGE) }]);
    for (const { message } of failures) for (const key of GOOD) expect(message).not.toContain(key);
    expect(await t.stack.retrying()).toBe(1);
    const batches = (
      await t.doc.send(new ScanCommand({ TableName: t.tableName('ManifestTable'), ConsistentRead: true }))
    ).Items?.filter((item) => String(item.pk).startsWith('BATCH#') && item.sk === 'BATCH');
    expect(
      batches
        ?.filter((b) => b.status === 'done')
        .map((b) => b.key)
        .sort(),
    ).toEqual(GOOD);
  }, 180_000);
});
