/**
 * Bad usage or unreadable input: one line on stderr naming what and where, exit status 2. Kept in a
 * file of its own, free of commander: the analyze worker threads import it (through the output and
 * window-limit checks), and loading commander there cost each worker about 20 ms before it read a byte.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A batch these commands cannot read, as a usage error. Local times with no zone are fixed here with
 * `--timezone` (analyze, traceback lookup); the message names that option only where it exists.
 */
export function unreadableBatch(e: { message: string; kind: string }): UsageError {
  return new UsageError(e.kind === 'zone' ? `${e.message} (--timezone ZONE)` : e.message);
}
