import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from './emulators/tied-child.ts';

/** the lock's file in the data folder: the pid of the process whose stack runs on it */
export const LOCK_FILE = 'stack.pid';

/** another live process runs a local stack on this data folder */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly dataDir: string;
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      `a local stack (pid ${pid}) already runs on ${dataDir}; stop it first (Ctrl-C in its terminal), ` +
        'or give this one another folder with --data-dir',
    );
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

/**
 * Takes the data folder for this process, or throws DataDirLockedError naming the process that holds
 * it. Two stacks on one folder would run two sets of emulators on the same files, both consume the
 * same queued messages, and the last to start would leave endpoints.json naming its ports. A lock
 * left by a process that is gone (a `kill -9`, a closed laptop) is taken over. Returns the release,
 * which removes the file only while it is still this process's.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (;;) {
    try {
      // created only if absent: of two stacks starting together, one gets it
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (holder(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = liveHolder(dataDir);
    if (pid !== null) throw new DataDirLockedError(dataDir, pid);
    // the holder is gone (or the file is unreadable): take it over
    rmSync(file, { force: true });
  }
}

/** the pid of the live process whose stack holds the data folder, or null when none does */
export function liveHolder(dataDir: string): number | null {
  const pid = holder(join(dataDir, LOCK_FILE));
  return pid !== null && processAlive(pid) ? pid : null;
}

function holder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
