import { CommanderError } from 'commander';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/** How the command ends on an error: one line on stderr, exit status 2 (0 after commander's --help). */
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
