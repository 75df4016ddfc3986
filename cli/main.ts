/**
 * The `traceguard` command. Each subcommand lives in its own module under cli/ and registers itself
 * on the program; this file only assembles them and maps failures to exit codes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** The version in the package's package.json: above cli/ in the repository, above dist/cli/ installed. */
function packageVersion(): string | undefined {
  for (const up of ['..', '../..']) {
    const file = fileURLToPath(new URL(`${up}/package.json`, import.meta.url));
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
  }
  return undefined;
}

/**
 * commander reads --help before it finds a command unknown, so `traceguard onboarding --help` printed
 * the program's help and exited 0, as if the command existed. A name that is no command of the
 * program, or of a command group (`customers nope`), is refused first.
 */
function refuseUnknownCommand(args: string[]): void {
  let command = program;
  for (const arg of args) {
    // the program and the groups take no option with a value, so every other word names a command
    if (arg.startsWith('-')) continue;
    if (command.commands.length === 0 || arg === 'help') return;
    const next: Command | undefined = command.commands.find(
      (c) => c.name() === arg || c.aliases().includes(arg),
    );
    if (!next) {
      command.error(`error: unknown command '${arg}'`, { code: 'commander.unknownCommand' });
      return;
    }
    command = next;
  }
}

const version = packageVersion();
if (version) program.version(version);
registerCommands(program);

// a reader that stops early (`traceguard analyze ... | head`) closes the pipe: that ends the output,
// it is not a failure to report with a stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  refuseUnknownCommand(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  exitWithUsageError(error);
}
