import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What `traceguard analyze` tells the person who runs it about inputs that are not what they look
 * like. Run as the real command in a child process, on files written here.
 */
const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-analyze-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyze = (args: string[]) =>
  run(process.execPath, [join(repoRoot, 'bin', 'traceguard.js'), 'analyze', ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'call_id,start_time,customer_id,calling_number,called_number,duration_s';

describe('analyze: batches without rows', () => {
  it('reads an empty and a header-only file, and says of each in one line that it has no rows', async () => {
    const empty = file('empty.csv', '');
    const header = file('hdr.csv', `${HEADER}\n`);
    const r = await analyze([empty, header]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ batches: 2, rows: 0 });
    expect(r.stderr).toBe(
      `traceguard: ${empty}: no rows: empty file\ntraceguard: ${header}: header only, no rows\n`,
    );
  });

  it('says nothing of a batch with rows', async () => {
    const ok = file('ok.csv', `${HEADER}\nx1,2026-12-01T14:00:00Z,C,2127180101,2125559876,10\n`);
    const r = await analyze([ok]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
});
