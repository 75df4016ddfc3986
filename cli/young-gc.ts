import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A collection of the young generation on demand, for a loop that makes large short-lived buffers
 * and few JS objects: the gzip worker inflating the part of the file before its range, only to find
 * where that range starts, and every analyze worker reading its range. V8 frees a dead Buffer's
 * memory when it collects the small object holding it, and it collects when JS allocates, or when
 * external memory has grown by about 64 MB. The gzip skip allocates next to nothing, so about 64 MB
 * of inflated chunks stayed in memory per collection (measured, 2M-row gzip bench file: peak RSS
 * 233-247 MB without, 194-209 MB with one collection per 16 MB skipped, at 1-2 ms each; a CSV read
 * is about 197 MB).
 *
 * The collector comes from a fresh context with `--expose-gc` set (process-wide; it only adds `gc` to
 * contexts made from then on). The `traceguard` entry sets that flag before anything compiles
 * (bin/traceguard.js says why); set here it only matters where nothing did so first, such as tests.
 * Returns null wherever that is not available.
 */
export function youngCollector(everyBytes: number): ((bytes: number) => void) | null {
  let gc: ((o: { type: 'minor' }) => void) | null = null;
  try {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    if (typeof exposed === 'function') gc = exposed as (o: { type: 'minor' }) => void;
  } catch {
    gc = null;
  }
  if (gc === null) return null;
  const collect = gc;
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    collect({ type: 'minor' });
  };
}
