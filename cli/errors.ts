import { CommanderError } from 'commander';
import { terminalSafe } from './terminal-text.ts';

/** Bad usage or unreadable input: one line on stderr naming what and where, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitWithUsageError(error: unknown): never {
  if (error instanceof CommanderError) {
    // commander already printed its message (or help) to stderr
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const message = error instanceof Error ? error.message : String(error);
  // messages quote file names and CDR values: one line, no control characters
  process.stderr.write(`traceguard: ${terminalSafe(message)}\n`);
  if (!(error instanceof UsageError) && process.env.TRACEGUARD_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(2);
}
