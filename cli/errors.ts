import { CommanderError } from 'commander';

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
  process.stderr.write(`traceguard: ${message}\n`);
  if (!(error instanceof UsageError) && process.env.TRACEGUARD_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(2);
}
