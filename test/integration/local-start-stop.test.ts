import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/test-stack.ts';

/**
 * Ctrl-C on `npm start` while the sample day is being ingested: the emulators go down under the
 * handlers still running. Those runs did not fail (their messages were not deleted, the next start
 * delivers them again), so the person who pressed Ctrl-C must not read "a handler failed".
 */
const dir = mkdtempSync(join(tmpdir(), 'start-stop-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start stopped with Ctrl-C during ingest', () => {
  it('exits 130 without reporting the handlers it cut short as failures', async () => {
    const child = spawn(process.execPath, ['local/start.ts', '--data-dir', dir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        // the batches are in the bucket: ingest handlers run from now on, for a minute or more
        if (stderr.includes('CDR batches dropped into')) resolve();
      });
      void exited.then((code) => reject(new Error(`npm start ended (${code}) before uploading: ${stderr}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('stopping the local stack');
    expect(stderr).not.toMatch(/a handler failed|ECONNREFUSED|details in/);
    const log = join(dir, 'logs', 'local-runtime.log');
    const entries = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => /^\d{4}-\d\d-\d\dT/.test(line))
      : [];
    // whatever the stop cut short is logged as such
    for (const entry of entries) expect(entry).toContain('(cut short by the stop)');
  }, 180_000);
});
