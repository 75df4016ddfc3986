import { Command, CommanderError } from 'commander';

export interface StartOptions {
  dataDir: string;
  fresh: boolean;
  once: boolean;
  /** false with --no-sample */
  sample: boolean;
}

/**
 * `npm start`'s options, parsed with commander as the CLI's are: `--help` prints the usage and ends
 * the process (status 0); an unknown option or one missing its value prints one line and the usage,
 * and ends it with status 2, as the CLI does for bad usage (never a stack trace).
 */
export function parseStartOptions(argv: string[]): StartOptions {
  const program = new Command('npm start')
    .usage('[-- options]')
    .description(
      'The Traceguard pipeline on local emulators of S3, SQS, SNS, DynamoDB and Step Functions, its ' +
        'state kept in a data folder; the sample day is dropped in once per folder.',
    )
    .option('--data-dir <dir>', 'the data folder; the CLI then needs TRACEGUARD_DATA_DIR=DIR', '.data')
    .option('--fresh', 'wipe the data folder first')
    .option('--once', 'process what is queued, show the report, stop')
    .option('--no-sample', 'an empty stack: bring your own data')
    .helpOption('-h, --help', 'show this text')
    .allowExcessArguments(false)
    .showHelpAfterError()
    .configureOutput({ outputError: (message, write) => write(`traceguard: ${message.trimEnd()}\n`) })
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  const { dataDir, fresh, once, sample } = program.opts<StartOptions>();
  return { dataDir, fresh: fresh === true, once: once === true, sample };
}
