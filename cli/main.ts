/**
 * The `traceguard` command. Each subcommand lives in its own module under cli/ and registers itself
 * on the program; this file only assembles them and maps failures to exit codes.
 */
import { Command } from 'commander';
import { registerCommands } from './commands.ts';
import { exitWithUsageError } from './exit-on-error.ts';
import { terminalSafe } from './terminal-text.ts';

const program = new Command('traceguard')
  .description('Robocall-compliance pipeline: analyze CDRs, manage cases and tracebacks')
  .showHelpAfterError()
  // commander quotes the offending argument in its message ("unknown option '...'"): that is user
  // input, so it is printed like any other data, with control characters escaped, on one line
  .configureOutput({ outputError: (message, write) => write(`${oneSafeLine(message)}\n`) })
  .exitOverride();

function oneSafeLine(message: string): string {
  return terminalSafe(message.trimEnd().replace(/\n+/g, ' '));
}

registerCommands(program);

// a reader that stops early (`traceguard analyze ... | head`) closes the pipe: that ends the output,
// it is not a failure to report with a stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitWithUsageError(error);
}
