import { createReadStream } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import type { BatchToSearch } from './lookup.ts';

/**
 * The switch a local file came from: the segment after `cdr/` as in the bucket (docs/input-contract.md),
 * else the folder holding the file (`native/asterisk/Master.csv` -> `asterisk`; `Master.csv` -> the
 * current folder's name, not `.`).
 */
export function switchIdForPath(path: string): string {
  const parts = path.split(/[\\/]/);
  const i = parts.lastIndexOf('cdr');
  if (i >= 0 && i < parts.length - 2) return parts[i + 1];
  return basename(dirname(resolve(path))) || '.';
}

/**
 * How the answer cites a local file: from `cdr/` on when the file sits under `cdr/<switch>/` (the
 * bucket key the deployed lookup would cite for the same batch), else the path as given.
 */
export function batchNameForPath(path: string): string {
  const parts = path.split(/[\\/]/);
  const i = parts.lastIndexOf('cdr');
  if (i >= 0 && i < parts.length - 2) return parts.slice(i).join('/');
  return path.split(sep).join('/');
}

/**
 * Local files as batches to search. Files carry no manifest, and finding out which hours a file
 * holds costs as much as reading it, so every file is searched once, streamed. `switchId` names the
 * switch of files outside `cdr/<switch>/` (native PBX exports carry no switch name).
 */
export function fileBatches(paths: string[], options: { switchId?: string } = {}): BatchToSearch[] {
  return paths.map((path) => ({
    name: batchNameForPath(path),
    switchId: isUnderCdr(path) ? switchIdForPath(path) : (options.switchId ?? switchIdForPath(path)),
    open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  }));
}

function isUnderCdr(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const i = parts.lastIndexOf('cdr');
  return i >= 0 && i < parts.length - 2;
}
