import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'traceguard.js');

/**
 * Runs the real `traceguard` command as its own process against this S3 emulator: only PATH, the
 * local credentials and region, its endpoint and `env`; the cwd is its folder, outside the repository,
 * so no local stack's endpoints file interferes. Never throws on a non-zero exit.
 */
export function traceguardOnS3(
  local: LocalS3,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], {
    cwd: local.dir,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: LOCAL_S3_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: local.endpoint,
      ...env,
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}
