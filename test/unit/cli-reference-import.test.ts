import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DynamoRmdStore } from '../../shared/aws/onboarding-store.ts';
import { DNO_KEY, NUMBERS_KEY } from '../../shared/aws/reference-store.ts';
import { useDynamoDbLocal } from '../helpers/dynamodb-local.ts';
import { traceguardOnS3, useLocalS3 } from '../helpers/local-s3.ts';

/**
 * `traceguard dno import`, `numbers import` and `rmd import` replace a whole reference list: a file
 * with no entries in it is refused unless `--allow-empty` says the list is meant to be emptied. Run
 * as the real command against a real S3 API (fauxqs, in this process), and DynamoDB Local for the
 * RMD listings.
 */

let bucketNo = 0;

const local = useLocalS3('cli-reference-import-');
const dynamo = useDynamoDbLocal('cli-reference-import-ddb-', ['dossiers']);

async function newBucket(): Promise<string> {
  const bucket = `reference-${++bucketNo}`;
  await local.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function stored(bucket: string, key: string): Promise<string> {
  const out = await local.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString()) ?? '';
}

const cli = (args: string[], env: Record<string, string> = {}) => traceguardOnS3(local, args, env);

function file(name: string, text: string): string {
  const path = join(local.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('reference list imports refuse a file with no entries', () => {
  for (const { kind, key, good, empties } of [
    {
      kind: 'dno',
      key: DNO_KEY,
      good: '+12025550100\n',
      empties: { 'zero bytes': '', 'only comments': '# the DNO list\n\n# nothing yet\n' },
    },
    {
      kind: 'numbers',
      key: NUMBERS_KEY,
      good: 'customer_id,number\nC1,+12025550100\n',
      empties: { 'zero bytes': '', 'only a header': 'customer_id,number\n' },
    },
  ]) {
    it(`${kind} import: exit 2 and the list kept; --allow-empty empties it, without an SDK warning`, async () => {
      // Prepare
      const bucket = await newBucket();
      const env = { REFERENCE_BUCKET: bucket };
      expect((await cli([kind, 'import', file(`${kind}.good`, good)], env)).code).toBe(0);
      for (const [what, text] of Object.entries(empties)) {
        const path = file(`${kind}-${what.replace(/ /g, '-')}`, text);
        // Act
        const refused = await cli([kind, 'import', path], env);
        // Assess
        expect(refused.code, what).toBe(2);
        expect(refused.stderr).toMatch(
          new RegExp(`^traceguard: ${path}: no entries .*would empty the whole .*--allow-empty`),
        );
        expect(refused.stdout).toBe('');
        expect(await stored(bucket, key)).toBe(good);
      }
      const emptied = await cli([kind, 'import', '--allow-empty', file(`${kind}.empty`, '')], env);
      expect(emptied).toMatchObject({ code: 0, stderr: '' });
      expect(emptied.stdout).toMatch(/^imported 0 /);
      expect(await stored(bucket, key)).toBe('');
    }, 30_000);
  }

  it('rmd import: an export with no listings is refused before the stack is looked for', async () => {
    for (const text of ['', 'RMD Number,Business Name,FRN,Other DBA Name(s)\n']) {
      const path = file('rmd.csv', text);
      const refused = await cli(['rmd', 'import', path]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `traceguard: ${path}: no RMD listings (empty, or only a header); nothing imported\n`,
      );
    }
  }, 30_000);
});

describe('rmd import', () => {
  it('writes the listings with only the Dossiers table named: it records no audit, needs no AUDIT_TABLE', async () => {
    const path = file(
      'rmd-good.csv',
      'RMD Number,Business Name,FRN,Other DBA Name(s)\nRMD0000001,Carrier One,,\n',
    );
    const env = { DOSSIERS_TABLE: 'dossiers', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    const imported = await cli(['rmd', 'import', path], env);
    expect(imported).toMatchObject({ code: 0, stderr: '', stdout: 'imported 1 RMD listing(s)\n' });
    expect(await new DynamoRmdStore(dynamo.doc, 'dossiers').get('RMD0000001')).toMatchObject({
      business_name: 'Carrier One',
    });
  }, 30_000);
});
