import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  wallMs: number;
  peakRssKb: number;
  stdout: string;
}

const PRELOAD = new URL('./rss-preload.ts', import.meta.url).pathname;

/**
 * Runs `node <args>` as a child and measures it from outside: wall time from spawn to exit (start-up
 * included, the same for every contender) and the child's own peak RSS reported by the preload.
 * A failing child fails the bench with its stderr: a figure from a broken run is worse than none.
 */
export async function measure(args: string[], compileCache: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'traceguard-bench-'));
  const rssFile = join(dir, 'rss');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
      // the same compile cache for every contender: TypeScript stripping and V8 compilation are paid once,
      // as with an installed build, not in every measured run
      env: { ...process.env, BENCH_RSS_FILE: rssFile, NODE_COMPILE_CACHE: compileCache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`);
    const peakRssKb = Number(readFileSync(rssFile, 'utf8'));
    return { wallMs, peakRssKb, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
