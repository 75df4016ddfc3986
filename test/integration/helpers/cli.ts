import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalStack } from '../../../local/stack.ts';
import { repoRoot } from './test-stack.ts';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `traceguard` command (bin/traceguard.js) as a separate process against a local
 * stack, with only PATH and the stack's CLI environment (endpoints, table and queue names). The cwd
 * is outside the repository, so no `.data/endpoints.json` of a developer's own stack can interfere.
 * Never throws on a non-zero exit: the caller asserts the exit status.
 */
export async function traceguard(
  stack: LocalStack,
  cwd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(repoRoot, 'bin', 'traceguard.js'), ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', ...stack.cliEnv, ...extraEnv },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
