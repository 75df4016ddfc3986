/**
 * Bad usage or unreadable input: one line on stderr naming what and where, exit status 2. Kept in a
 * file of its own, free of commander: the analyze worker threads import it (through the output and
 * window-limit checks), and loading commander there cost each worker about 20 ms before it read a byte.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
