import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, liveHolder, lockDataDir } from '../../local/data-lock.ts';

/** One local stack per data folder: a pid file, refused while its process lives, taken over after. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'traceguard-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** the pid of a process that has ended */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

describe('the data folder lock', () => {
  it('refuses a second holder while the first lives, naming its pid and the folder', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(liveHolder(dir)).toBe(process.pid);

    const second = (() => {
      try {
        lockDataDir(dir);
      } catch (error) {
        return error;
      }
    })();
    expect(second).toBeInstanceOf(DataDirLockedError);
    expect((second as Error).message).toContain(`pid ${process.pid}`);
    expect((second as Error).message).toContain(dir);

    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir)();
  });

  it('takes over a lock left by a process that is gone, or an unreadable one', () => {
    for (const stale of [`${deadPid()}\n`, 'garbage']) {
      writeFileSync(join(dir, LOCK_FILE), stale);
      expect(liveHolder(dir)).toBeNull();
      const release = lockDataDir(dir);
      expect(liveHolder(dir)).toBe(process.pid);
      release();
    }
  });

  it('a release leaves alone a lock another process holds by then', () => {
    const release = lockDataDir(dir);
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`); // taken over meanwhile (ppid: alive)
    release();
    expect(liveHolder(dir)).toBe(process.ppid);
  });
});
