import { PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { windowSk } from '../../shared/ingest/keys.ts';
import { cdrCsv, cdrRow } from './helpers/cdr-csv.ts';
import { CUSTOMERS_CSV, DNO_TXT } from './helpers/pipeline-day.ts';
import { loadReference } from './helpers/seed.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * A switch uploading its growing file again under the same key, through the local stack from the
 * synthesized template (S3 notification, ingest queue, the real ingest function, DynamoDB Local):
 * the customer-hour counts each call once; a version that changes the counted one is refused.
 */
let t: TestStack;
const KEY = 'cdr/sbc-a/c1.csv';
const HOUR = Date.UTC(2026, 10, 27, 16);
const row = (i: number) =>
  cdrRow({
    callId: `reup-${i}`,
    startMs: HOUR + i * 60_000,
    customerId: 'C-LOW',
    calling: '+12025550143',
    called: `+1312555${String(1000 + i)}`,
  });
const rows = Array.from({ length: 7 }, (_, i) => row(i));

beforeAll(async () => {
  t = await startTestStack({ prefix: 'reupload', template: await synthesizeTemplate(repoRoot) });
  await loadReference(t, CUSTOMERS_CSV, DNO_TXT);
}, 180_000);

afterAll(async () => {
  await t?.stack.stop();
});

async function upload(body: string, key = KEY): Promise<void> {
  await t.s3.send(new PutObjectCommand({ Bucket: t.stack.outputs.CdrBucketName, Key: key, Body: body }));
  await t.stack.waitForIdle({ timeoutMs: 60_000 });
}

async function attempts(hourMs = HOUR): Promise<number> {
  const out = await t.doc.send(
    new QueryCommand({
      TableName: t.tableName('AggregatesTable'),
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': 'CUST#C-LOW', ':sk': windowSk('', hourMs) },
      ConsistentRead: true,
    }),
  );
  return Number(JSON.parse(String(out.Items?.[0]?.w ?? '{"attempts":0}')).attempts);
}

describe('uploading again under the same key, on the local stack', () => {
  it('counts each call once as the file grows, and refuses a version that changes it', async () => {
    await upload(cdrCsv(rows.slice(0, 6)));
    expect(await attempts()).toBe(6);
    // the same rows plus one: only the new one counts
    await upload(cdrCsv(rows));
    expect(await attempts()).toBe(7);
    // a corrected first row: refused, nothing counted again
    await upload(cdrCsv([rows[0].replace('reup-0', 'reup-0b'), ...rows.slice(1)]));
    expect(await attempts()).toBe(7);
    const manifest = await t.doc.send(new ScanCommand({ TableName: t.tableName('ManifestTable') }));
    const refused = (manifest.Items ?? []).filter((i) => typeof i.refused === 'string');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ key: KEY, refused: expect.stringMatching(/does not extend it/) });
    // nothing for that version went to a dead-letter queue: it is refused, not failed
    expect(t.glueErrors).toEqual([]);
  });

  it('holds back a last row uploaded cut short, and counts it once, complete, from the upload that grows it', async () => {
    const key = 'cdr/sbc-a/c2.csv';
    const later = HOUR + 2 * 3_600_000;
    const grown = Array.from({ length: 5 }, (_, i) =>
      cdrRow({
        callId: `held-${i}`,
        startMs: later + i * 60_000,
        customerId: 'C-LOW',
        calling: '+12025550143',
        called: `+1312555${String(2000 + i)}`,
      }),
    );
    // caught while the switch wrote row 3: no line end, cut after the first digit of its duration
    const cut = `${cdrCsv(grown.slice(0, 3))}${grown[3].slice(0, grown[3].indexOf(',45,') + 2)}`;
    await upload(cut, key);
    expect(await attempts(later)).toBe(3);
    await upload(cdrCsv(grown), key);
    expect(await attempts(later)).toBe(5);
    const manifest = await t.doc.send(new ScanCommand({ TableName: t.tableName('ManifestTable') }));
    const done = (manifest.Items ?? [])
      .filter((i) => i.key === key && i.status === 'done')
      .sort((a, b) => b.rows - a.rows);
    expect(done.map((i) => [i.rows, i.calls, i.quarantined, i.alreadyCounted, i.readAgain])).toEqual([
      [4, 3, 1, undefined, undefined],
      [2, 2, 0, 3, 1],
    ]);
    expect(t.glueErrors).toEqual([]);
  });
});
