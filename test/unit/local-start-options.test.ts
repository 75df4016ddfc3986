import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** `npm start`'s options: a usage text for --help, one line and the usage (status 2) for bad ones. */
const START = join(import.meta.dirname, '..', '..', 'local', 'start.ts');

async function start(...args: string[]) {
  // a scratch folder as the working directory: nothing may start, but if it did, not on the project's .data
  const cwd = mkdtempSync(join(tmpdir(), 'traceguard-start-options-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [START, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('npm start options', () => {
  it('--help prints the usage and the options, status 0', async () => {
    const { code, stdout } = await start('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm start \[-- options\]/);
    for (const option of ['--data-dir <dir>', '--fresh', '--once', '--no-sample'])
      expect(stdout).toContain(option);
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--data-dir'], "option '--data-dir <dir>' argument missing"],
  ])('%j: one line naming the problem, then the usage, status 2, no stack trace', async (args, problem) => {
    const { code, stderr } = await start(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`traceguard: error: ${problem}`);
    expect(stderr).toContain('Usage: npm start');
    expect(stderr).not.toMatch(/\bat .*:\d+:\d+|ERR_PARSE_ARGS/);
  });
});
