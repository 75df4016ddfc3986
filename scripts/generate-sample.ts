#!/usr/bin/env node
/**
 * `npm run sample`: writes a deterministic, realistic day of wholesale voice traffic (CDR batches from four
 * SBCs, native Asterisk/FreeSWITCH files, reference data, traceback requests) plus expected.json, the
 * ground truth of what was planted. Same seed, day and scale give byte-identical files.
 */
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { generateSampleDay } from './sample/generate.ts';

const optionsSchema = z.object({
  out: z.string().min(1, '--out must name a folder'),
  seed: z.coerce
    .number({ error: '--seed must be a number' })
    .int('--seed must be an integer')
    .min(0, '--seed must be >= 0')
    .max(0xffffffff, '--seed must fit in 32 bits'),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--day must be a date written yyyy-mm-dd'),
  scale: z.coerce
    .number({ error: '--scale must be a number' })
    .positive('--scale must be greater than 0')
    .max(100, '--scale above 100 would write tens of millions of rows; use bench/ generators for that'),
});

const program = new Command()
  .name('generate-sample')
  .description(
    'Write a deterministic sample day of CDRs, reference data, traceback requests and expected.json',
  )
  .option('--out <dir>', 'output folder (only the generator\u2019s own files in it are replaced)', 'sample')
  .option('--seed <n>', 'seed of the generator', '20261127')
  .option('--day <yyyy-mm-dd>', 'UTC day of traffic', '2026-11-27')
  .option('--scale <f>', 'multiplies traffic volume (1 = about 200k rows)', '1')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

try {
  program.parse();
  const parsed = optionsSchema.safeParse(program.opts());
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  const options = parsed.data;
  const started = performance.now();
  const summary = generateSampleDay({ ...options, out: resolve(options.out) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `wrote ${summary.rows} call rows (+${summary.malformedRows} malformed) in ${summary.batches} batches, ` +
      `${summary.customers} customers, ${summary.tracebacks} traceback requests to ${options.out}/ in ${seconds} s\n`,
  );
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`generate-sample: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
