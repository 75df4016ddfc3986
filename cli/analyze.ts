import type { Command } from 'commander';

interface AnalyzeOptions {
  customers?: string;
  numbers?: string;
  dno?: string;
  policy?: string;
  tracebacks?: string;
  format?: string;
  out?: string;
  inputFormat: string;
  timezone?: string;
  quarantineOut?: string;
  quarantineMax?: string;
  earliest?: string;
  latest?: string;
  trunks?: string;
  switch?: string;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('Analyze CDR files with the same detection code as the deployed functions; print findings')
    .argument(
      '<file-or-dir...>',
      'CDR batches: CSV or JSON Lines, gzip or not, canonical or native switch formats',
    )
    .option(
      '--customers <file>',
      'customer registry CSV (customer_id,name,onboarded_at,vetting,traffic_profile)',
    )
    .option('--numbers <file>', 'number inventory CSV (customer_id,number)')
    .option('--dno <file>', 'Do-Not-Originate list, one number per line')
    .option('--policy <file>', 'detection policy JSON overriding config/policy.default.json')
    .option('--tracebacks <file>', 'traceback history CSV (customer_id,answered_at[,traceback_id])')
    .option('--format <format>', 'json or table (default: table on a terminal, json otherwise)')
    .option('--out <file>', 'write the findings here instead of stdout')
    .option('--input-format <format>', 'auto, canonical, jsonl, asterisk or freeswitch', 'auto')
    .option('--timezone <zone>', 'IANA zone of local times in native formats (e.g. America/New_York)')
    .option('--earliest <time>', 'earliest plausible call time (default 2000-01-01T00:00:00Z)')
    .option('--latest <time>', 'latest plausible call time (default: a day after now)')
    .option(
      '--trunks <file>',
      'trunk map CSV (switch_id,trunk,customer_id): customers of native rows with an empty accountcode',
    )
    .option('--switch <id>', 'the switch the files came from (selects its entries in --trunks)')
    .option(
      '--quarantine-out <file>',
      'write every quarantined row as JSON Lines (source, line, reason, raw)',
    )
    .option(
      '--quarantine-max <rows>',
      'at most this many rows in --quarantine-out; the rest are counted, not written',
      '1000000',
    )
    .action(async (inputs: string[], opts: AnalyzeOptions) => {
      // where the documents go, before a byte is read: a wrong folder found at the end costs the run
      const { checkOutputDirectories } = await import('./output-file.ts');
      checkOutputDirectories({ '--out': opts.out, '--quarantine-out': opts.quarantineOut });
      // a big single batch: worker threads start reading it while the rest of analyze loads
      const { prestartWorkers } = await import('./analyze-prestart.ts');
      const workers = prestartWorkers(inputs, opts);
      const { runAnalyze } = await import('./analyze-run.ts');
      const { removeSpools } = await import('./analyze-parallel.ts');
      // a run refused before reading (say, an output that is an input) leaves no spool behind either
      const output = await runAnalyze(inputs, opts, workers).finally(() => removeSpools(workers));
      const { BlockWriter, writeOutput } = await import('./output-file.ts');
      if (opts.out) writeOutput(opts.out, output);
      else {
        const stdout = new BlockWriter((text) => process.stdout.write(text));
        for (const piece of output) stdout.write(piece);
        stdout.flush();
      }
    });
}

export type { AnalyzeOptions };
