import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DNO_KEY, ReferenceStore } from '../../shared/aws/reference-store.ts';
import {
  putSwitchConfig,
  S3SwitchConfigStore,
  SWITCHES_KEY,
  TRUNKS_KEY,
} from '../../shared/aws/switch-config-store.ts';
import { traceguardOnS3, useLocalS3 } from '../helpers/local-s3.ts';

/**
 * The switch configuration where the functions read it: a real S3 API (fauxqs, in this process),
 * the cache shared with the rest of the reference data, and `traceguard switches import`.
 */
const GOOD = 'switch_id,format,timezone\npbx-asterisk-1,asterisk,America/New_York\n';

let bucketNo = 0;

async function newBucket(): Promise<string> {
  const bucket = `reference-${++bucketNo}`;
  await local.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function putRaw(bucket: string, text: string): Promise<void> {
  await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: SWITCHES_KEY, Body: text }));
}

const local = useLocalS3('switch-config-store-');

describe('S3SwitchConfigStore', () => {
  it('treats a missing object as no switch configured', async () => {
    const store = new S3SwitchConfigStore(local.s3, await newBucket());
    const config = await store.switches();
    expect(config.size).toBe(0);
    expect(config.settingsFor('pbx-asterisk-1')).toMatchObject({ format: 'auto', zone: null });
  });

  it('keeps the configuration while its object is unchanged, and reads a new one at once', async () => {
    // Prepare
    const bucket = await newBucket();
    await putSwitchConfig(local.s3, bucket, GOOD, 'switches.csv');
    let now = 0;
    const store = new S3SwitchConfigStore(local.s3, bucket, { ttlMs: 1000, now: () => now });
    // Act + Assess
    const first = await store.switches();
    expect(first.settingsFor('pbx-asterisk-1').zone?.zone).toBe('America/New_York');
    now = 999;
    // unchanged: the same configuration, not read again
    expect(await store.switches()).toBe(first);
    // changed: the very next read has it, long before the TTL is up (a batch uploaded right after
    // `switches import` is read with the new zone)
    await putSwitchConfig(local.s3, bucket, 'switch_id,format,timezone\npbx-asterisk-1,asterisk,UTC\n', 'v2');
    now = 1;
    const second = await store.switches();
    expect(second.settingsFor('pbx-asterisk-1').zone?.zone).toBe('UTC');
    // and the trunk map beside it counts as part of it
    await local.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: TRUNKS_KEY,
        Body: 'switch_id,trunk,customer_id\npbx-asterisk-1,t1,C1\n',
      }),
    );
    expect(await store.switches()).not.toBe(second);
    // the TTL still bounds how long a value is kept
    const third = await store.switches();
    now = 2000;
    expect(await store.switches()).not.toBe(third);
  });

  it('an invalid object fails every read with the s3 location, line, switch and field, and is not cached', async () => {
    const bucket = await newBucket();
    await putRaw(bucket, 'switch_id,format,timezone\npbx-1,freeswitch,\n');
    const store = new S3SwitchConfigStore(local.s3, bucket);
    const message = `s3://${bucket}/${SWITCHES_KEY}: line 2: switch 'pbx-1': timezone is required`;
    await expect(store.switches()).rejects.toThrow(message);
    await putRaw(bucket, GOOD);
    // fixed object: the very next read succeeds, without waiting for a TTL
    expect((await store.switches()).size).toBe(1);
  });

  it('putSwitchConfig validates before writing anything', async () => {
    const bucket = await newBucket();
    await expect(
      putSwitchConfig(local.s3, bucket, 'switch_id,format,timezone\np,nope,\n', 'x.csv'),
    ).rejects.toThrow("x.csv: line 2: switch 'p': format must be one of");
    await expect(
      local.s3.send(new GetObjectCommand({ Bucket: bucket, Key: SWITCHES_KEY })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('the ingest ReferenceStore reads changed reference objects at once: switches, DNO list, inventory', async () => {
    const bucket = await newBucket();
    await putSwitchConfig(local.s3, bucket, GOOD, 'switches.csv');
    // numbers() reads the customers' declarations from DynamoDB too: a table without any, here
    const noDeclarations = { send: async () => ({ Items: [] }) } as unknown as DynamoDBDocumentClient;
    const store = new ReferenceStore(noDeclarations, local.s3, {
      customersTable: 'Customers',
      referenceBucket: bucket,
      ttlMs: 60_000,
    });
    expect((await store.switches()).settingsFor('pbx-asterisk-1').format).toBe('asterisk');
    await putRaw(bucket, 'switch_id,format,timezone\n');
    expect((await store.switches()).size).toBe(0);
    // a DNO list imported between two batches judges the second one
    expect((await store.numbers()).dno.has('+12025550123')).toBe(false);
    await local.s3.send(new PutObjectCommand({ Bucket: bucket, Key: DNO_KEY, Body: '+12025550123\n' }));
    expect((await store.numbers()).dno.has('+12025550123')).toBe(true);
  });
});

describe('traceguard switches import', () => {
  const cli = (args: string[], env: Record<string, string> = {}) => traceguardOnS3(local, args, env);

  it('stores a valid file where the functions read it, and rejects a bad one with exit 2 and one line', async () => {
    // Prepare
    const bucket = await newBucket();
    const good = join(local.dir, 'switches.csv');
    const bad = join(local.dir, 'bad.csv');
    writeFileSync(good, `${GOOD}pbx-freeswitch-1,freeswitch,America/Chicago\n`);
    writeFileSync(bad, 'switch_id,format,timezone\npbx-1,asterisk,Eastern\n');
    // Act
    const ok = await cli(['switches', 'import', good], { REFERENCE_BUCKET: bucket });
    const rejected = await cli(['switches', 'import', bad], { REFERENCE_BUCKET: bucket });
    // Assess
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`imported 2 switch(es) to s3://${bucket}/${SWITCHES_KEY}`);
    expect(ok.stdout).toContain('pbx-freeswitch-1: freeswitch, America/Chicago');
    const config = await new S3SwitchConfigStore(local.s3, bucket).switches();
    expect(config.entries().map((e) => `${e.switchId} ${e.format} ${e.timezone}`)).toEqual([
      'pbx-asterisk-1 asterisk America/New_York',
      'pbx-freeswitch-1 freeswitch America/Chicago',
    ]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toBe(
      `traceguard: ${bad}: line 2: switch 'pbx-1': timezone 'Eastern' is not a known time zone (use an IANA name such as America/New_York), or leave it empty\n`,
    );
    // the rejected file did not replace the good one
    expect((await new S3SwitchConfigStore(local.s3, bucket).switches()).size).toBe(2);
  }, 30_000);

  it('trunks import stores the trunk map beside the switch configuration, where ingest reads it', async () => {
    // Prepare
    const bucket = await newBucket();
    const good = join(local.dir, 'trunks.csv');
    const bad = join(local.dir, 'bad-trunks.csv');
    writeFileSync(
      good,
      'switch_id,trunk,customer_id\npbx-asterisk-1,acme-voice,C100\npbx-asterisk-1,203.0.113.0/24,C300\n',
    );
    writeFileSync(bad, 'switch_id,trunk,customer_id\npbx-1,203.0.113.0/40,C1\n');
    // Act
    const ok = await cli(['trunks', 'import', good], { REFERENCE_BUCKET: bucket });
    const rejected = await cli(['trunks', 'import', bad], { REFERENCE_BUCKET: bucket });
    // Assess
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`imported 2 trunk mapping(s) to s3://${bucket}/${TRUNKS_KEY}`);
    expect(ok.stdout).toContain('pbx-asterisk-1: 2 trunk(s)');
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toBe(
      `traceguard: ${bad}: line 2: switch 'pbx-1' trunk '203.0.113.0/40': trunk '203.0.113.0/40' is not a CIDR block (address/prefix, e.g. 203.0.113.0/24); a peer name has no "/"\n`,
    );
    // no switches.csv at all: the map still applies, to unconfigured switches too
    const read = (await new S3SwitchConfigStore(local.s3, bucket).switches()).settingsFor('pbx-asterisk-1');
    expect(read.configured).toBe(false);
    expect(read.attribution.customerFor({ peer: '203.0.113.77', namesCustomer: false })).toBe('C300');
    expect(read.attribution.customerFor({ peer: 'acme-voice', namesCustomer: true })).toBe('C100');
  }, 30_000);
});
