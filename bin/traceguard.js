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

// The repository runs the TypeScript as it is; an installed package has no TypeScript, only the CLI
// compiled to JavaScript under dist/ (built when packing: Node does not strip types in node_modules).
const source = new URL('../cli/main.ts', import.meta.url);
const fromPackage = !existsSync(fileURLToPath(source));

// The CLI and the libraries it loads need Node 22 (the Lambda runtime's): on Node 20 every read of a
// gzip file failed as corrupt (ArrayBuffer.prototype.transfer is missing there), so an older node
// gets one line instead. From the repository, TypeScript runs as it is, which needs Node 22.18.
const [major, minor] = process.versions.node.split('.').map(Number);
const [needMajor, needMinor] = fromPackage ? [22, 0] : [22, 18];
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `traceguard needs Node ${needMinor ? `${needMajor}.${needMinor}` : needMajor} or later; this is ${process.version}` +
      (fromPackage
        ? '\n'
        : '; run it as `npx traceguard` from the project (npm puts its pinned Node first on PATH)\n'),
  );
  process.exit(2);
}

// No V8 flag is changed for the whole run: V8 checks a hash of its flags before it takes code from a
// cache, so with any flag changed every new isolate (each analyze worker thread) compiled Node's
// built-in modules anew instead of taking their embedded code cache: a worker took 70 ms to start
// instead of 35, and analyze's workers began reading 210-310 ms after the process started instead
// of 150-220 (100 customers, 4 alternating runs). (cli/young-gc.ts sets
// --expose-gc only for the moment it takes the collector, and turns allocation-site pretenuring off
// only while analyze scores, once its workers are done; each is set back after.)

// Node's own default directory, set in the environment first so the worker threads use the same one
if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE)
  process.env.NODE_COMPILE_CACHE = join(tmpdir(), 'node-compile-cache');
nodeModule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
await import(fromPackage ? '../dist/cli/main.js' : source.href);
