import { CommanderError } from 'commander';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/** How the command ends on an error: one line on stderr, exit status 2 (0 after commander's --help). */
export function exitWithUsageError(error: unknown): never {
  if (error instanceof CommanderError) {
    // commander already printed its message (or help) to stderr
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  // messages quote file names and CDR values: one line, no control characters
  process.stderr.write(`traceguard: ${terminalSafe(errorMessage(error))}\n`);
  if (!(error instanceof UsageError) && process.env.TRACEGUARD_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(2);
}

/** a refused connection to this machine: the address the CLI read from a local stack's endpoints file */
const LOCAL_REFUSED = /\bconnect ECONNREFUSED ((?:127\.0\.0\.1|::1|localhost):\d+)/;

/**
 * The line a failed command prints. A refused connection to this machine means the local stack whose
 * endpoints the CLI read (`.data/endpoints.json`, or TRACEGUARD_DATA_DIR's) is not running, which the
 * socket error alone does not say.
 */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const local = LOCAL_REFUSED.exec(message);
  if (local)
    return `nothing answers at ${local[1]}, where the local stack was: start it with npm start (${message})`;
  // the SDK found no region: no local stack's endpoints here (another folder) and no AWS settings
  if (message === 'Region is missing')
    return `${message}: no AWS region is set (AWS_REGION) and no local stack was found from this folder (run the command from the project folder, where npm start keeps .data/, or set TRACEGUARD_DATA_DIR)`;
  return message;
}
