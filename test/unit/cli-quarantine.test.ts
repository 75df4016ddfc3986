import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoManifestStore } from '../../shared/aws/manifest-store.ts';
import { deliveryFailureReason, deliveryOf } from '../../shared/ingest/delivery-failure-reason.ts';
import { REFUSED_FIX, REFUSED_REASON } from '../../shared/ingest/key-versions.ts';
import { batchIdOf } from '../../shared/ingest/keys.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import {
  quarantinePartOf,
  quarantineRows,
  writtenByLatestIngest,
} from '../../shared/ingest/quarantine-report.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { traceguardOnS3, useLocalS3 } from '../helpers/local-s3.ts';
import { HEADER } from './ingest-cdr-fixtures.ts';

/**
 * Rows ingest quarantines are shown where the person who uploaded the batch looks: `upload` says
 * where, and `traceguard quarantine show` reads the quarantine objects ingest wrote (run as the real
 * command against a real S3 API and the manifest in DynamoDB Local, with a quarantine object made by
 * ingest itself).
 */
const local = useLocalS3('cli-quarantine-');
const dynamo = useDynamoDbLocal('cli-quarantine-ddb-', ['manifest']);
const BUCKET = 'cdr';
const KEY = 'cdr/sbc-east-1/2026/11/27/16.csv';
const cli = (args: string[]) =>
  traceguardOnS3(local, args, {
    CDR_BUCKET: BUCKET,
    REFERENCE_BUCKET: 'reference',
    MANIFEST_TABLE: 'manifest',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });

const BATCH =
  `${HEADER}\n` +
  `ok-1,2026-11-27T16:01:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
  `bad-1,yesterday,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
  `ok-2,2026-11-27T16:02:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
  `bad-2,2026-11-27T16:03:00Z,,,0,,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n`;

/** what ingest writes to quarantine/<key> for the batch, with two unusable rows (lines 3 and 5) */
async function quarantinedByIngest(): Promise<string> {
  const p = memoryIngestPorts();
  p.source.put(TEST_BUCKET, KEY, BATCH);
  await processBatch(ingestJob(KEY, BATCH), p);
  const written = p.source.quarantine.get(`${TEST_BUCKET}/quarantine/${KEY}`);
  if (!written) throw new Error('ingest quarantined nothing');
  return written;
}

const put = (key: string, body: string) =>
  local.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

const cut = (quarantined: number, endRow: number, final: boolean) => ({
  rows: endRow,
  calls: endRow - quarantined,
  quarantined,
  firstMs: null,
  lastMs: null,
  endRow,
  final,
});

/** `body` put under `key`, and its batch begun in the manifest as ingest begins it; its batch id */
async function begun(key: string, body: string): Promise<string> {
  await put(key, body);
  const head = await local.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  const batchId = batchIdOf({ bucket: BUCKET, key, versionId: null, etag: String(head.ETag) });
  await new DynamoManifestStore(dynamo.doc, 'manifest').begin({
    batchId,
    bucket: BUCKET,
    key,
    versionId: null,
    etag: '',
    switchId: 'sbc-east-1',
    size: 0,
  });
  return batchId;
}

beforeAll(async () => {
  await local.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await local.s3.send(new CreateBucketCommand({ Bucket: 'reference' }));
  // the batch now under the key, read by ingest in two parts: two rows quarantined in the first, one
  // in the second (as the manifest records them)
  await put(KEY, BATCH);
  const head = await local.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));
  const batchId = batchIdOf({ bucket: BUCKET, key: KEY, versionId: null, etag: String(head.ETag) });
  const manifest = new DynamoManifestStore(dynamo.doc, 'manifest');
  await manifest.begin({
    batchId,
    bucket: BUCKET,
    key: KEY,
    versionId: null,
    etag: '',
    switchId: 'sbc-east-1',
    size: 0,
  });
  await manifest.recordPart(batchId, 0, cut(2, 60_000, false));
  await manifest.recordPart(batchId, 1, cut(1, 30_000, true));
  await manifest.finish(batchId, { ...cut(3, 90_000, true), format: 'canonical' });
  await put(`quarantine/${KEY}`, await quarantinedByIngest());
  await put(
    `quarantine/${KEY}.part-1`,
    `${JSON.stringify({ line: 90001, reason: 'duration_s is not a number', raw: 'x' })}\n`,
  );
  // left by the ingest of an earlier upload under the key, one with three parts
  await put(
    `quarantine/${KEY}.part-2`,
    `${JSON.stringify({ line: 120001, reason: 'old upload', raw: 'z' })}\n`,
  );
  // another batch whose key only starts the same
  await put(`quarantine/${KEY}.gz`, `${JSON.stringify({ line: 2, reason: 'other batch', raw: 'y' })}\n`);
});

describe('quarantine objects', () => {
  it('belong to their batch part by part, not to a batch whose key merely starts the same', () => {
    expect(quarantinePartOf(KEY, `quarantine/${KEY}`)).toBe(0);
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.part-3`)).toBe(3);
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.gz`)).toBeNull();
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.part-3x`)).toBeNull();
    // the latest ingest wrote the objects of the parts its manifest records rows quarantined in
    const latest = { parts: { '0': cut(0, 10, false), '1': cut(4, 10, true) } };
    expect([0, 1, 2].map((part) => writtenByLatestIngest(latest, part))).toEqual([false, true, false]);
    expect(writtenByLatestIngest(null, 0)).toBe(false);
    expect(quarantineRows('{"line":3,"reason":"r","raw":"a"}\nnot json\n')).toEqual([
      { line: 3, reason: 'r', raw: 'a' },
      { line: 0, reason: 'not a quarantine record', raw: 'not json' },
    ]);
  });
});

describe('traceguard quarantine show', () => {
  it("lists a batch's quarantined rows with line, reason and the row, numbers masked", async () => {
    const shown = await cli(['quarantine', 'show', KEY]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toBe(
      `${KEY}: 3 row(s) quarantined, in s3://${BUCKET}/quarantine/${KEY}, s3://${BUCKET}/quarantine/${KEY}.part-1`,
    );
    expect(lines[1]).toMatch(/^ {2}line 3: .*start_time/);
    expect(lines[2]).toMatch(/^ {4}bad-1,yesterday,/);
    // the row without the line end its CSV record kept (shown escaped, it ended every row in \x0a)
    expect(lines[2]).not.toMatch(/\\x0a$/);
    expect(lines[3]).toMatch(/^ {2}line 5: .*customer_id/);
    expect(lines[5]).toBe('  line 90001: duration_s is not a number');
    // the manifest's totals, to check rows = calls + quarantined by
    expect(lines[7]).toBe('ingest done: 90000 row(s): 89997 call(s) counted, 3 quarantined');
    // the earlier upload's third part is not this batch's: named as such, its rows not listed
    expect(lines.slice(8)).toEqual([
      `not listed: 1 row(s) in s3://${BUCKET}/quarantine/${KEY}.part-2, left by the ingest of an earlier upload under this key, not about the batch there now (--json lists them under "earlier")`,
      '',
    ]);
    expect(shown.stdout).not.toContain('old upload');
    expect(shown.stdout).not.toContain('other batch');
    expect(shown.stdout).not.toContain('+12025550143');
    expect(shown.stdout).toContain('***0143');
    // as upload prints it, and as stored with --json
    expect((await cli(['quarantine', 'show', `s3://${BUCKET}/${KEY}`])).stdout).toBe(shown.stdout);
    const json = JSON.parse((await cli(['quarantine', 'show', KEY, '--json'])).stdout);
    expect(json).toMatchObject({
      ingest: 'done',
      batchId: expect.stringContaining(`${BUCKET}/${KEY}#`),
      totals: { rows: 90_000, calls: 89_997, quarantined: 3 },
      failure: null,
    });
    expect(json.parts.map((p: { part: number }) => p.part)).toEqual([0, 1]);
    expect(json.earlier).toEqual([
      expect.objectContaining({ part: 2, rows: [{ line: 120001, reason: 'old upload', raw: 'z' }] }),
    ]);
    expect(json.parts[0].rows[0].raw).toContain('+12025550143');
  });

  it('says so when nothing was quarantined or ingest has not read the batch yet, and refuses what is not a batch key', async () => {
    // a key never uploaded: not a clean batch, and not 0 for a script
    expect(await cli(['quarantine', 'show', 'cdr/sbc-east-1/never.csv'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'cdr/sbc-east-1/never.csv: no batch under this key in the CDR bucket\n',
    });
    const clean = 'cdr/sbc-east-1/clean.csv';
    const manifest = new DynamoManifestStore(dynamo.doc, 'manifest');
    const cleanId = await begun(clean, BATCH);
    await manifest.finish(cleanId, { ...cut(0, 4, true), format: 'canonical' });
    expect(await cli(['quarantine', 'show', clean])).toMatchObject({
      code: 0,
      stdout: `${clean}: no row quarantined (every row was usable)\ningest done: 4 row(s): 4 call(s) counted, 0 quarantined\n`,
    });
    // a file re-uploaded under its key with more rows: read from where the earlier upload stopped
    const grown = 'cdr/sbc-east-1/Master.csv';
    const grownId = await begun(grown, BATCH);
    await manifest.finish(grownId, { ...cut(0, 4, true), format: 'canonical', alreadyCounted: 20_000 });
    expect((await cli(['quarantine', 'show', grown])).stdout).toBe(
      `${grown}: no row quarantined (every row was usable)\n` +
        'ingest done: 4 row(s) after the 20000 of an earlier upload under this key, counted already (20004 in the file): 4 call(s) counted, 0 quarantined\n',
    );
    expect(JSON.parse((await cli(['quarantine', 'show', grown, '--json'])).stdout).totals).toEqual({
      rows: 4,
      calls: 4,
      quarantined: 0,
      alreadyCounted: 20_000,
    });
    // grown from an upload that quarantined a row and held back its last, with no line end: the
    // calls counted then, the row quarantined then, and the held row read again, each as such
    const held = 'cdr/sbc-east-1/held/Master.csv';
    const heldId = await begun(held, BATCH);
    await manifest.finish(heldId, {
      ...cut(0, 4, true),
      format: 'canonical',
      alreadyCounted: 19_999,
      alreadyQuarantined: 1,
      readAgain: 1,
    });
    expect((await cli(['quarantine', 'show', held])).stdout).toBe(
      `${held}: no row quarantined (every row was usable)\n` +
        'ingest done: 4 row(s) after the 20000 of an earlier upload under this key, read already (19999 call(s) counted, 1 quarantined) (20004 in the file): 4 call(s) counted, 0 quarantined; ' +
        'of these, the first 1 row(s), the last of the earlier upload, were held back there for want of a line end (possibly cut short) and read again here\n',
    );
    expect(JSON.parse((await cli(['quarantine', 'show', held, '--json'])).stdout).totals).toEqual({
      rows: 4,
      calls: 4,
      quarantined: 0,
      alreadyCounted: 19_999,
      alreadyQuarantined: 1,
      readAgain: 1,
    });
    const reading = 'cdr/sbc-east-1/reading.csv';
    await begun(reading, BATCH);
    expect((await cli(['quarantine', 'show', reading])).stdout).toBe(
      `${reading}: no row quarantined so far (ingest is still reading it)\n`,
    );
    // a new upload under a key ingest has not read yet: what is there is the earlier upload's
    const fresh = 'cdr/sbc-east-1/again.csv';
    await put(fresh, BATCH);
    await put(`quarantine/${fresh}`, `${JSON.stringify({ line: 7, reason: 'old upload', raw: 'z' })}\n`);
    expect(await cli(['quarantine', 'show', fresh])).toMatchObject({
      code: 0,
      stdout:
        `${fresh}: ingest has not read the batch under this key yet\n` +
        `not listed: 1 row(s) in s3://${BUCKET}/quarantine/${fresh}, left by the ingest of an earlier upload under this key, not about the batch there now (--json lists them under "earlier")\n`,
    });
    // a batch ingest cannot read at all: why, as the manifest recorded it
    const binary = 'cdr/sbc-east-1/binary.csv';
    const failedId = await begun(binary, '\u007fELF\u0000\u0000');
    await manifest.fail(
      failedId,
      's3://cdr/cdr/sbc-east-1/binary.csv: not a text file (binary data in the first bytes)',
    );
    const failed = await cli(['quarantine', 'show', binary]);
    expect(failed).toMatchObject({
      code: 0,
      stdout:
        `${binary}: ingest failed: it cannot read the batch: s3://cdr/cdr/sbc-east-1/binary.csv: not a text file (binary data in the first bytes)` +
        ' (its message is retried, then dead-lettered: traceguard dlq list)\n',
    });
    expect(JSON.parse((await cli(['quarantine', 'show', binary, '--json'])).stdout)).toMatchObject({
      ingest: 'failed',
      failure: expect.stringContaining('not a text file'),
      totals: null,
    });
    // a batch whose deliveries fail for another reason (a store outage, a missing permission)
    const outage = 'cdr/sbc-east-1/outage.csv';
    const outageId = await begun(outage, BATCH);
    await manifest.fail(
      outageId,
      deliveryFailureReason(new Error('ProvisionedThroughputExceededException: throttled'), deliveryOf('5')),
    );
    expect((await cli(['quarantine', 'show', outage])).stdout).toBe(
      `${outage}: ingest failed: all 5 deliveries of its message failed, the last with: ProvisionedThroughputExceededException: throttled; ` +
        'the message waits in the dead-letter queue: fix the cause, then redrive it (traceguard dlq redrive IngestQueue)\n',
    );
    // once a delivery gets past a part, the failure is over
    await manifest.checkpoint(outageId, { part: 1, skipRows: 2 });
    expect((await cli(['quarantine', 'show', outage])).stdout).toBe(
      `${outage}: no row quarantined so far (ingest is still reading it)\n`,
    );
    const refused = await cli(['quarantine', 'show', 'clean.csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/give the batch's key, cdr\/<switch>\/<name>/);
  });
});

describe('a batch ingest refused', () => {
  it('says it was refused, none of its calls counted, and why', async () => {
    const key = 'cdr/sbc-east-1/2026-11-27/Master.csv';
    const batchId = await begun(key, BATCH);
    const manifest = new DynamoManifestStore(dynamo.doc, 'manifest');
    const reason = `${REFUSED_REASON}; ${REFUSED_FIX}`;
    await manifest.finish(batchId, { ...cut(0, 0, true), format: 'canonical', refused: reason });
    expect(await cli(['quarantine', 'show', key])).toMatchObject({
      code: 0,
      stdout: `${key}: refused, none of its calls counted: it ${reason}\n`,
    });
  });

  it('says a repeat holds the calls of another batch, which counted them, not that it had no rows', async () => {
    const manifest = new DynamoManifestStore(dynamo.doc, 'manifest');
    const key = 'cdr/sbc-east-1/2026-11-27/Master.csv.gz';
    const batchId = await begun(key, BATCH);
    const first = `${BUCKET}/cdr/sbc-east-1/2026-11-27/Master.csv#v1`;
    await manifest.finish(batchId, { ...cut(0, 0, true), format: 'canonical', repeatOf: first });
    expect(await cli(['quarantine', 'show', key])).toMatchObject({
      code: 0,
      stdout: `${key}: a repeat, none of its calls counted again: it holds the calls of s3://${first}, which counted them\n`,
    });
    expect(JSON.parse((await cli(['quarantine', 'show', key, '--json'])).stdout)).toMatchObject({
      repeatOf: first,
    });
  });
});

describe('traceguard upload', () => {
  it('warns before uploading under a key that already holds a batch, unless --no-check', async () => {
    const file = join(local.dir, 'Master.csv');
    writeFileSync(file, BATCH);
    const first = await cli(['upload', file, '--key', 'cdr/sbc-east-1/2026-11-28/Master.csv']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const again = await cli(['upload', file, '--key', 'cdr/sbc-east-1/2026-11-28/Master.csv']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /^warning: s3:\/\/cdr\/cdr\/sbc-east-1\/2026-11-28\/Master\.csv already holds a batch \(uploaded .*\)\. Ingest counts this file only where it extends that batch .* If this file changes or drops any of them, ingest refuses it and counts none of it; send changed or missing calls under a new key\.\n$/,
    );
    const unchecked = await cli([
      'upload',
      file,
      '--key',
      'cdr/sbc-east-1/2026-11-28/Master.csv',
      '--no-check',
    ]);
    expect(unchecked).toMatchObject({ code: 0, stderr: '' });
  });

  it('says where the rows ingest cannot use will be', async () => {
    const file = join(local.dir, 'batch.csv');
    writeFileSync(
      file,
      `${HEADER}\nok-1,2026-11-27T16:01:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n`,
    );
    const uploaded = await cli(['upload', file, '--switch', 'sbc-east-1']);
    expect(uploaded.code).toBe(0);
    expect(uploaded.stdout).toMatch(
      /\ningest reads it now; rows it cannot use: traceguard quarantine show cdr\/sbc-east-1\/batch\.csv\n$/,
    );
    // a key with a space or shell characters in it is quoted, to be pasted into a shell as it is
    for (const [name, word] of [
      ['a b.csv', "'cdr/sbc-east-1/a b.csv'"],
      ["it's $HOME;*.csv", `'cdr/sbc-east-1/it'\\''s $HOME;*.csv'`],
    ]) {
      const spaced = join(local.dir, name);
      writeFileSync(
        spaced,
        `${HEADER}\nok-1,2026-11-27T16:01:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n`,
      );
      const shown = await cli(['upload', spaced, '--switch', 'sbc-east-1']);
      expect(shown.code).toBe(0);
      expect(shown.stdout.split('\n').at(-2)).toBe(
        `ingest reads it now; rows it cannot use: traceguard quarantine show ${word}`,
      );
      // what a shell makes of it is the key
      const key = execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });
      expect(key).toBe(`cdr/sbc-east-1/${name}`);
    }
  });

  it('uploads an empty or header-only file, and warns that it has no rows', async () => {
    for (const [name, text, reason] of [
      ['empty.csv', '', 'no rows: empty file'],
      ['hdr.csv', `${HEADER}\n`, 'header only, no rows'],
    ]) {
      const file = join(local.dir, name);
      writeFileSync(file, text);
      const uploaded = await cli(['upload', file, '--switch', 'sbc-east-1']);
      expect(uploaded.code).toBe(0);
      expect(uploaded.stdout).toContain(`uploaded ${file}`);
      expect(uploaded.stderr).toBe(
        `traceguard: ${file}: ${reason} (uploaded; if the switch had calls, check its CDR export)\n`,
      );
    }
  });
});
