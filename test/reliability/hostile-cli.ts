import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** peak resident set size of the child, bytes */
  peakRss: number;
  ms: number;
}

/**
 * Runs `traceguard <args>` in a child process (the real CLI, worker threads and all) and reports its
 * exit code, output, wall time and peak RSS as the child measured it on exit.
 */
export async function traceguard(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'traceguard-rss-'));
  const rssFile = join(dir, 'rss');
  const started = performance.now();
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          ['--import', join(ROOT, 'test/reliability/peak-rss.ts'), join(ROOT, 'bin/traceguard.js'), ...args],
          {
            cwd: opts.cwd ?? ROOT,
            env: { PATH: process.env.PATH ?? '', TRACEGUARD_PEAK_RSS_FILE: rssFile, ...opts.env },
            maxBuffer: 64 * 1024 * 1024,
            timeout: opts.timeoutMs ?? 60_000,
          },
          (error, stdout, stderr) =>
            resolve({
              code: error ? Number(error.code ?? 1) : 0,
              stdout: String(stdout),
              stderr: String(stderr),
            }),
        );
      },
    );
    const ms = performance.now() - started;
    let peakRss = Number.NaN;
    try {
      peakRss = Number(readFileSync(rssFile, 'utf8'));
    } catch {
      // killed before it could report
    }
    return { code, stdout, stderr, peakRss, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const MB = 1024 * 1024;
