import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '../../cli/upload.ts';
import { type RunningFauxqs, startFauxqs } from '../../local/emulators/fauxqs.ts';
import type { ObjectCreated } from '../../local/emulators/persistent-s3-store.ts';

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

  it('with its own part size, a 12 MiB file fits the local emulator, which takes at most 11 MiB a request', async () => {
    const bytes = Buffer.alloc(12 * 1024 * 1024 + 7, 0x61);
    const { out, stored } = await roundTrip('twelve.csv', bytes);
    expect(out.parts).toBe(2);
    expect(stored.equals(bytes)).toBe(true);
  });
});
