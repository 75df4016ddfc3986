import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Starts a long-running program so that it cannot outlive this process. A small `sh` watchdog runs
 * the program in the background and reads our stdin pipe: when this process ends for any reason
 * (clean stop, SIGINT, crash, SIGKILL) the pipe closes, `cat` returns and the watchdog kills the
 * program. Node has no portable PR_SET_PDEATHSIG, and `detached` children would be orphaned.
 */
const WATCHDOG = [
  // background jobs of a non-interactive sh get /dev/null as stdin, so keep our pipe on fd 3
  'exec 3<&0',
  '"$@" </dev/null 3<&- >>"$TIED_LOG" 2>&1 &',
  'child=$!',
  'echo "$child"',
  "trap 'kill $child 2>/dev/null; exit 0' TERM INT",
  '( cat <&3 >/dev/null; kill $child 2>/dev/null ) &',
  'wait $child',
].join('\n');

export interface TiedChild {
  /** pid of the program itself (not of the watchdog) */
  pid: number;
  watchdog: ChildProcess;
  /** closes the pipe, waits for the program to exit (SIGKILL after `graceMs`) */
  stop(graceMs?: number): Promise<void>;
}

export async function spawnTiedToParent(
  command: string,
  args: string[],
  logFile: string,
): Promise<TiedChild> {
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'tied-child', command, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TIED_LOG: logFile },
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    watchdog.once('error', reject);
    watchdog.once('exit', (code) =>
      reject(new Error(`${command} exited at once (code ${code}); see ${logFile}`)),
    );
    watchdog.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve(Number(line));
    });
  });
  watchdog.removeAllListeners('exit');
  // the watchdog must not keep the event loop alive by itself; the emulator's own handle does that
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  (watchdog.stdout as unknown as { unref?: () => void }).unref?.();
  let stopped: Promise<void> | undefined;
  return {
    pid,
    watchdog,
    stop(graceMs = 5000) {
      stopped ??= (async () => {
        if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
        const exited = once(watchdog, 'exit');
        watchdog.stdin?.end();
        const timer = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          watchdog.kill('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}

/** True while a process with this pid exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
