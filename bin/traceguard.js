#!/usr/bin/env node
/**
 * The `traceguard` command (cli/main.ts). Plain JavaScript on purpose: it turns on Node's on-disk
 * compile cache before any TypeScript loads, so a run takes every module, stripped and compiled, from
 * the last run's cache and never starts the TypeScript stripper (about 45 ms per run). The cache
 * directory goes into NODE_COMPILE_CACHE too, which is what the analyze worker threads read.
 * Measured on the bench machine, 2M-row analyze: 1.91 s without the cache, 1.70 s with it;
 * `--help` 0.10 s from a TypeScript entry, 0.05 s from this one.
 * NODE_COMPILE_CACHE picks the directory, NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// The repository runs the TypeScript as it is; an installed package has no TypeScript, only the CLI
// compiled to JavaScript under dist/ (built when packing: Node does not strip types in node_modules).
const source = new URL('../cli/main.ts', import.meta.url);
const fromPackage = !existsSync(fileURLToPath(source));

// TypeScript runs as it is in Node from 22.18; an older `node` first on PATH gets a clear word
// instead of an error about a .ts extension
const [major, minor] = process.versions.node.split('.').map(Number);
if (!fromPackage && (major < 22 || (major === 22 && minor < 18))) {
  process.stderr.write(
    `traceguard: needs Node 22.18 or later, this is ${process.version}; run it as \`npx traceguard\` ` +
      'from the project (npm puts its pinned Node first on PATH)\n',
  );
  process.exit(2);
}

// analyze's main thread exposes the GC (cli/young-gc.ts); setting that flag before anything compiles
// keeps V8's flag hash the same for the whole run, else code cached before the change and after it
// would not match and the cache would be rewritten on every run
setFlagsFromString('--expose-gc');
// V8 moves an allocation site to the old generation once enough of what it makes survives a young
// collection. Scoring builds each customer's windows, scores them and drops them: when collections
// happened to fall while customers were alive, the window sites went old for good, dead customers
// piled up in the old generation until a full collection, and the run peaked 100-150 MB higher (3
// runs in 5 at 2M rows, 2,000 customers: 457-479 MB against 320-360 MB). Paired with and without:
// 2M rows 393 -> 323 MB median and 0.96x wall; 20,000 customers 667 -> 609 MB but 1.05x wall (the
// workers' long-lived customer state no longer goes old at once); 100 and 2,000 customers unchanged.
// Set here for the same reason as the flag above, for every thread.
setFlagsFromString('--no-allocation-site-pretenuring');

// Node's own default directory, set in the environment first so the worker threads use the same one
if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE)
  process.env.NODE_COMPILE_CACHE = join(tmpdir(), 'node-compile-cache');
nodeModule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
await import(fromPackage ? '../dist/cli/main.js' : source.href);
