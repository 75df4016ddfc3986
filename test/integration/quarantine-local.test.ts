import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { DynamoManifestStore } from '../../shared/aws/manifest-store.ts';
import { readBatchQuarantine } from '../../shared/aws/quarantine-objects.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * A batch whose every row is quarantined, through the local stack from the synthesized template (S3
 * notification, ingest queue, the real ingest function): its quarantine object, 15 MB of JSON Lines
 * for 40,000 rows, is written in one PutObject as S3 takes it, and the batch is done, not dead-lettered.
 */
let t: TestStack;
const KEY = 'cdr/sbc-nz/nozone.csv';
const ROWS = 40_000;

beforeAll(async () => {
  t = await startTestStack({ prefix: 'quarantine', template: await synthesizeTemplate(repoRoot) });
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

/** canonical rows whose start_time has no UTC offset, from a switch with no time zone configured */
function noOffsetCsv(): string {
  const lines = ['call_id,start_time,customer_id,calling_number,called_number,sip_code,duration_s'];
  for (let i = 0; i < ROWS; i++) {
    const n = String(i).padStart(4, '0').slice(-4);
    lines.push(
      `nz${i},2026-11-08 ${String(i % 24).padStart(2, '0')}:00:00,NZ${i % 50},+1212736${n},+1312436${n},200,${i % 60}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('quarantine objects on the local stack', () => {
  it('writes the quarantine of a batch whose every row is unusable, 15 MB in one object, and finishes the batch', async () => {
    const bucket = t.stack.outputs.CdrBucketName;
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: noOffsetCsv() }));
    // a failed message would wait out its retry: the glue errors say why
    await t.stack.waitForIdle({ timeoutMs: 120_000, exceptRetrying: true });
    expect(t.glueErrors).toEqual([]);
    // what `traceguard quarantine show` reads: every row, with its line, in the latest ingest's objects
    const q = await readBatchQuarantine(
      t.s3,
      new DynamoManifestStore(t.doc, t.tableName('ManifestTable')),
      bucket,
      KEY,
    );
    expect(q.ingest).toBe('done');
    expect(q.totals).toMatchObject({ rows: ROWS, calls: 0, quarantined: ROWS });
    const rows = q.parts.flatMap((p) => p.rows);
    expect(rows).toHaveLength(ROWS);
    expect(rows[0]).toMatchObject({ line: 2, raw: expect.stringMatching(/^nz0,/) });
    expect(rows.at(-1)).toMatchObject({ line: ROWS + 1 });
  }, 180_000);
});
