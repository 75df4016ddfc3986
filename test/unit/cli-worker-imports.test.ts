import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What the analyze worker threads load before they read a byte is paid on every run by each of them, on
 * the cores the other readers need: the modules statically reachable from their entry (dynamic imports
 * load only when used) must not include the command-line framework, and the module that starts them
 * (analyze-prestart.ts) must load at once, before any package.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Files reachable from `entry` through static imports only, as esbuild names them (relative to the root). */
async function staticClosure(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = (result.metafile as Metafile).inputs;
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const edge of inputs[file]?.imports ?? []) {
      if (edge.kind !== 'import-statement' || edge.external || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return [...seen];
}

describe('what the analyze workers load before they read', () => {
  it('the worker entry reaches no command-line package (commander cost each worker 20 ms)', async () => {
    const files = await staticClosure('cli/analyze-worker.ts');
    // the reader itself is there: the closure is real, not empty
    expect(files).toContain('shared/cdr/formats/canonical-fast.ts');
    expect(files.filter((f) => f.includes('node_modules/commander'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('cli/') && /commands|main|exit-on-error/.test(f))).toEqual([]);
  });

  it('the module that starts them loads no package at all', async () => {
    const files = await staticClosure('cli/analyze-prestart.ts');
    expect(files).toContain('cli/errors.ts');
    expect(files.filter((f) => f.includes('node_modules/'))).toEqual([]);
  });
});
