import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/aws-clients.ts';
import { type RunningFauxqs, startFauxqs } from '../../local/emulators/fauxqs.ts';

export interface LocalS3 {
  /** a client on it (read once the tests run) */
  readonly s3: S3Client;
  readonly endpoint: string;
  /** the emulator's data folder, also a scratch folder for the test's files */
  readonly dir: string;
}

export const LOCAL_S3_REGION = 'us-east-1';

/**
 * The local stack's S3 emulator (fauxqs, in this process) for one test file: started before its
 * tests and stopped after them, its folder removed.
 */
export function useLocalS3(folderPrefix: string): LocalS3 {
  let dir = '';
  let fauxqs: RunningFauxqs | undefined;
  let s3: S3Client | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), folderPrefix));
    fauxqs = await startFauxqs({ dataDir: dir, region: LOCAL_S3_REGION, onObjectCreated: () => {} });
    s3 = new S3Client({
      region: LOCAL_S3_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: fauxqs.endpoint,
      forcePathStyle: true,
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await fauxqs?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the S3 emulator is read before it started (use it inside a test)');
    return value;
  };
  return {
    get s3() {
      return started(s3);
    },
    get endpoint() {
      return started(fauxqs).endpoint;
    },
    get dir() {
      return started(dir || undefined);
    },
  };
}
