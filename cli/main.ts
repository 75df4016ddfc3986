/**
 * The `traceguard` command. Each subcommand lives in its own module under cli/ and registers itself
 * on the program; this file only assembles them and maps failures to exit codes.
 */
import { Command } from 'commander';
import { registerCommands } from './commands.ts';
import { exitWithUsageError } from './errors.ts';

const program = new Command('traceguard')
  .description('Robocall-compliance pipeline: analyze CDRs, manage cases and tracebacks')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitWithUsageError(error);
}
