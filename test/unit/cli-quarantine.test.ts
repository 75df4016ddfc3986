import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { quarantinePartOf, quarantineRows } from '../../shared/ingest/quarantine-report.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { traceguardOnS3, useLocalS3 } from '../helpers/local-s3.ts';
import { HEADER } from './ingest-cdr-fixtures.ts';

/**
 * Rows ingest quarantines are shown where the person who uploaded the batch looks: `upload` says
 * where, and `traceguard quarantine show` reads the quarantine objects ingest wrote (run as the real
 * command against a real S3 API, with a quarantine object made by ingest itself).
 */
const local = useLocalS3('cli-quarantine-');
const BUCKET = 'cdr';
const KEY = 'cdr/sbc-east-1/2026/11/27/16.csv';
const env = { CDR_BUCKET: BUCKET, REFERENCE_BUCKET: 'reference' };
const cli = (args: string[]) => traceguardOnS3(local, args, env);

/** what ingest writes to quarantine/<key> for a batch with two unusable rows (lines 3 and 5) */
async function quarantinedByIngest(): Promise<string> {
  const p = memoryIngestPorts();
  const body =
    `${HEADER}\n` +
    `ok-1,2026-11-27T16:01:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
    `bad-1,yesterday,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
    `ok-2,2026-11-27T16:02:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
    `bad-2,2026-11-27T16:03:00Z,,,0,,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n`;
  p.source.put(TEST_BUCKET, KEY, body);
  await processBatch(ingestJob(KEY, body), p);
  const written = p.source.quarantine.get(`${TEST_BUCKET}/quarantine/${KEY}`);
  if (!written) throw new Error('ingest quarantined nothing');
  return written;
}

const put = (key: string, body: string) =>
  local.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

beforeAll(async () => {
  await local.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await local.s3.send(new CreateBucketCommand({ Bucket: 'reference' }));
  await put(`quarantine/${KEY}`, await quarantinedByIngest());
  // a later part of the same batch, and another batch whose key only starts the same
  await put(
    `quarantine/${KEY}.part-1`,
    `${JSON.stringify({ line: 90001, reason: 'duration_s is not a number', raw: 'x' })}\n`,
  );
  await put(`quarantine/${KEY}.gz`, `${JSON.stringify({ line: 2, reason: 'other batch', raw: 'y' })}\n`);
});

describe('quarantine objects', () => {
  it('belong to their batch part by part, not to a batch whose key merely starts the same', () => {
    expect(quarantinePartOf(KEY, `quarantine/${KEY}`)).toBe(0);
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.part-3`)).toBe(3);
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.gz`)).toBeNull();
    expect(quarantinePartOf(KEY, `quarantine/${KEY}.part-3x`)).toBeNull();
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
    expect(lines[3]).toMatch(/^ {2}line 5: .*customer_id/);
    expect(lines[5]).toBe('  line 90001: duration_s is not a number');
    expect(shown.stdout).not.toContain('other batch');
    expect(shown.stdout).not.toContain('+12025550143');
    expect(shown.stdout).toContain('***0143');
    // as upload prints it, and as stored with --json
    expect((await cli(['quarantine', 'show', `s3://${BUCKET}/${KEY}`])).stdout).toBe(shown.stdout);
    const json = JSON.parse((await cli(['quarantine', 'show', KEY, '--json'])).stdout);
    expect(json.parts.map((p: { part: number }) => p.part)).toEqual([0, 1]);
    expect(json.parts[0].rows[0].raw).toContain('+12025550143');
  });

  it('says so when nothing was quarantined, and refuses what is not a batch key', async () => {
    expect(await cli(['quarantine', 'show', 'cdr/sbc-east-1/clean.csv'])).toMatchObject({
      code: 0,
      stdout:
        'cdr/sbc-east-1/clean.csv: no row quarantined (every row was usable, or ingest has not read the batch yet)\n',
    });
    const refused = await cli(['quarantine', 'show', 'clean.csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/give the batch's key, cdr\/<switch>\/<name>/);
  });
});

describe('traceguard upload', () => {
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
  });
});
