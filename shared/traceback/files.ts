import { createReadStream } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import type { BatchToSearch } from './lookup.ts';

/**
 * The switch a local file came from: the segment after `cdr/` as in the bucket (contracts.md 1),
 * else the folder holding the file (`native/asterisk/Master.csv` -> `asterisk`).
 */
export function switchIdForPath(path: string): string {
  const parts = path.split(/[\\/]/);
  const i = parts.lastIndexOf('cdr');
  if (i >= 0 && i < parts.length - 2) return parts[i + 1];
  return basename(dirname(path)) || '.';
}

/**
 * Local files as batches to search. Files carry no manifest, and finding out which hours a file
 * holds costs as much as reading it, so every file is searched once, streamed.
 */
export function fileBatches(paths: string[]): BatchToSearch[] {
  return paths.map((path) => ({
    name: path.split(sep).join('/'),
    switchId: switchIdForPath(path),
    open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  }));
}
