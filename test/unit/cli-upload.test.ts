import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUpload, uploadFile, uploadKey } from '../../cli/upload.ts';
import { type RunningFauxqs, startFauxqs } from '../../local/emulators/fauxqs.ts';
import type { ObjectCreated } from '../../local/emulators/persistent-s3-store.ts';
import { traceguardOnS3 } from '../helpers/local-s3.ts';

/** `traceguard upload` against the local S3 emulator: small files in one PutObject, big ones in parts. */
let s3: S3Client;
let fauxqs: RunningFauxqs;
let dir: string;
const created: ObjectCreated[] = [];
const PART = 5 * 1024 * 1024; // the smallest part S3 accepts

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traceguard-upload-'));
  fauxqs = await startFauxqs({ dataDir: dir, region: 'us-east-1', onObjectCreated: (e) => created.push(e) });
  s3 = new S3Client({
    endpoint: fauxqs.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'cdr' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'reference' }));
});

afterAll(async () => {
  await fauxqs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `partBytes`: the part size, or the command's own when left out */
async function roundTrip(name: string, bytes: Buffer, partBytes?: number) {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const key = `cdr/sw-1/${name}`;
  const out = await uploadFile(s3, {
    bucket: 'cdr',
    key,
    body: createReadStream(file),
    size: bytes.length,
    partBytes,
  });
  const got = await s3.send(new GetObjectCommand({ Bucket: 'cdr', Key: key }));
  const stored = Buffer.from(await got.Body!.transformToByteArray());
  return { out, stored, event: created.find((e) => e.key === key) };
}

describe('uploadKey: the switch of --key is a switch id, as --switch is', () => {
  it("refuses a key whose switch segment is '..', '.' or not a switch id, saying which and why", () => {
    for (const [key, segment] of [
      ['cdr/../etc/x.csv', '..'],
      ['cdr/./x.csv', '.'],
      ['cdr/sw 1/x.csv', 'sw 1'],
    ])
      expect(() => uploadKey('x.csv', { key })).toThrow(
        `--key '${key}': switch '${segment}' must be letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64); ingest would skip the object`,
      );
    expect(uploadKey('x.csv', { key: 'cdr/sbc.east-1/2026/x.csv' })).toBe('cdr/sbc.east-1/2026/x.csv');
    expect(uploadKey('dir/x.csv', { switch: 'sbc_1' })).toBe('cdr/sbc_1/x.csv');
  });

  it('the command exits 2 on such a key and uploads nothing', async () => {
    const file = join(dir, 'dotdot.csv');
    writeFileSync(file, 'not read\n');
    const before = created.length;
    const out = await traceguardOnS3(
      { s3, endpoint: fauxqs.endpoint, dir },
      ['upload', file, '--key', 'cdr/../etc/x.csv', '--no-check'],
      { CDR_BUCKET: 'cdr' },
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("switch '..' must be letters, digits");
    expect(created.length).toBe(before);
  });
});

describe('uploadFile', () => {
  it('puts a file smaller than a part in one PutObject', async () => {
    const bytes = Buffer.from('CALL_ID,CUSTOMER_ID\nc1,C1\n');
    const { out, stored, event } = await roundTrip('small.csv', bytes, PART);
    expect(out.parts).toBe(1);
    expect(stored.equals(bytes)).toBe(true);
    expect(event?.eventName).toBe('ObjectCreated:Put');
  });

  it('uploads a file bigger than a part in parts, byte for byte', async () => {
    const bytes = Buffer.alloc(2 * PART + 12345);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 13)) & 0xff;
    const { out, stored, event } = await roundTrip('big.csv', bytes, PART);
    expect(out.parts).toBe(3);
    expect(stored.length).toBe(bytes.length);
    expect(stored.equals(bytes)).toBe(true);
    expect(event?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
  });

  it('with its own part size, a 12 MiB file goes up in two parts', async () => {
    const bytes = Buffer.alloc(12 * 1024 * 1024 + 7, 0x61);
    const { out, stored } = await roundTrip('twelve.csv', bytes);
    expect(out.parts).toBe(2);
    expect(stored.equals(bytes)).toBe(true);
  });
});

describe('checkUpload: a file ingest cannot read is refused before it is uploaded', () => {
  const HEADER = 'call_id,customer_id,start_time,duration_s,calling_number,called_number,sip_code\n';
  const canonical = Buffer.from(`${HEADER}c1,C1,2026-11-27T11:31:07Z,60,+12025550143,+13125550199,200\n`);
  const asterisk = readFileSync(join(import.meta.dirname, '../fixtures/native/asterisk-no-accountcode.csv'));

  /** all but the last 10 bytes (the checksum and length, and the end of the data) */
  const truncated = (gz: Buffer) => gz.subarray(0, gz.length - 10);

  async function check(name: string, bytes: Buffer, switchId = 'sbc-east-1') {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return checkUpload(s3, { file, key: `cdr/${switchId}/${name}`, referenceBucket: 'reference' });
  }

  const SWITCH_HINT =
    "[switch 'sbc-east-1' has no entry in the switch configuration (format auto, no time zone); see docs/switch-config.md, traceguard switches import]";

  it('a truncated gzip: the hint is to upload the whole file again, not the switch configuration', async () => {
    const bytes = truncated(gzipSync(Buffer.concat(Array(200).fill(canonical))));
    const refused = check('truncated.csv.gz', bytes).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(await refused).toMatch(
      /^.*truncated\.csv\.gz: truncated or corrupt gzip \(.*\) \[the file is cut short or not gzip; upload the whole file again\]; not uploaded \(--no-check uploads it anyway\)$/,
    );
    expect(await refused).not.toContain('switch configuration');
  });

  it('a binary file: no hint about the switch configuration, which could not make it readable', async () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0x0a]);
    await expect(check('binary.csv', binary)).rejects.toThrow(
      /binary\.csv: not a text file \([^)]*\); not uploaded \(--no-check uploads it anyway\)$/,
    );
  });

  it.each([
    [
      'no-numbers.csv',
      Buffer.from('call_id,start_time,customer_id\nc1,2026-11-27T11:31:07Z,C1\n'),
      'line 1: header lacks required column(s) calling_number, called_number',
    ],
    ['asterisk.csv', asterisk, 'asterisk CDRs carry local wall-clock times'],
  ])('%s: refused with the message ingest gives', async (name, bytes, reason) => {
    await expect(check(name, bytes)).rejects.toThrow(`${join(dir, name)}: ${reason}`);
    await expect(check(name, bytes)).rejects.toThrow(
      `${SWITCH_HINT}; not uploaded (--no-check uploads it anyway)`,
    );
    // only options upload has: a switch's time zone is its configuration, not a --timezone
    await expect(check(name, bytes)).rejects.not.toThrow('--timezone');
  });

  it('passes a readable batch, gzipped or not, and a native one its switch has a time zone for', async () => {
    await check('good.csv', canonical);
    await check('good.csv.gz', gzipSync(Buffer.concat(Array(20_000).fill(canonical))));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'reference',
        Key: 'reference/switches.csv',
        Body: 'switch_id,format,timezone\npbx-1,asterisk,America/Chicago\n',
      }),
    );
    await check('asterisk.csv', asterisk, 'pbx-1');
  });

  it('warns, and uploads, when no row of the start is usable; a cut last row or one good row is no warning', async () => {
    // a header with a trailing comma over rows without one: every row one field short
    const shifted = Buffer.from(
      `${HEADER.replace('\n', ',\n')}${'c1,C1,2026-11-27T11:31:07Z,60,+12025550143,+13125550199,200\n'.repeat(3)}`,
    );
    expect(await check('shifted.csv', shifted)).toMatch(
      /^none of the first 3 row\(s\) is usable, so ingest will quarantine them, e.g. line 2: has 7 fields, the header has 8 \(uploaded; check switch 'sbc-east-1' in the switch configuration/,
    );
    // one usable row among bad ones: ingest quarantines the rest, as any batch's bad rows
    const oneGood = Buffer.concat([
      shifted,
      Buffer.from('c9,C1,2026-11-27T11:31:07Z,60,+12025550143,+13125550199,200,\n'),
    ]);
    expect(await check('one-good.csv', oneGood)).toBeNull();
    // a big good file: the check stops mid-row, and that cut row is not taken for a bad one
    expect(await check('big.csv', Buffer.concat(Array(2_000).fill(canonical)))).toBeNull();
  });

  it('warns, and uploads, when the last row has no line end: ingest holds it back until the grown file completes it', async () => {
    const open = Buffer.from(canonical.toString().replace(/\n$/, ''));
    const warning =
      'its last row has no line end: ingest holds it back (quarantined) as possibly cut short, and reads it again when the grown file is uploaded under this key; if the file is complete, add a line end after its last row and upload it again (uploaded)';
    expect(await check('open.csv', open)).toBe(warning);
    // past what the check parses too
    const big = Buffer.concat([...Array(2_000).fill(canonical), open.subarray(HEADER.length)]);
    expect(await check('open-big.csv', big)).toBe(warning);
  });
});
