#!/usr/bin/env node
/**
 * `npm run eval`: builds a labelled corpus (not the sample day), runs the same detection as
 * `traceguard analyze` over it in-process, scores the findings against the labels and writes the figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { runAnalyze } from '../../cli/analyze-run.ts';
import { buildCorpus, writeCorpus } from './corpus.ts';
import { readPolicyThresholds } from './intensity.ts';
import { renderReport } from './report.ts';
import { scoreFindings } from './score.ts';

const findingsDocument = z.object({
  findings: z.array(
    z.object({
      customer_id: z.string(),
      severity: z.string(),
      reasons: z.array(z.object({ code: z.string() })),
    }),
  ),
  summary: z.object({ rows: z.number(), quarantined: z.number(), calls: z.number() }).loose(),
});

const optionsSchema = z.object({
  customers: z.coerce
    .number({ error: '--customers must be a number' })
    .int()
    .min(10, '--customers must be >= 10')
    .max(100_000),
  seed: z.coerce
    .number({ error: '--seed must be a number' })
    .int()
    .min(0)
    .max(0xffffffff, '--seed must fit in 32 bits'),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--day must be a date written yyyy-mm-dd'),
  policy: z.string().min(1),
  out: z.string().min(1, '--out must name a file'),
  corpus: z.string().optional(),
});

const program = new Command()
  .name('eval')
  .description(
    'Score detection on a labelled corpus: recall and precision per reason code, severity by planted intensity',
  )
  .option(
    '--customers <n>',
    'ordinary customers besides the planted ones (most send a few calls an hour)',
    '2000',
  )
  .option('--seed <n>', 'seed of the corpus (the sample day uses another)', '4242')
  .option('--day <yyyy-mm-dd>', 'UTC day of the corpus', '2026-12-02')
  .option('--policy <file>', 'policy the planted intensities are sized against', 'config/policy.default.json')
  .option('--out <file>', 'results file', 'scripts/eval/results/latest.json')
  .option('--corpus <dir>', 'keep the corpus in this folder (default: a temporary folder, removed after)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

async function main(): Promise<void> {
  program.parse();
  const parsed = optionsSchema.safeParse(program.opts());
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const options = parsed.data;
  const started = performance.now();
  const policy = readPolicyThresholds(options.policy);
  const corpus = buildCorpus({ seed: options.seed, day: options.day, customers: options.customers, policy });
  const dir = options.corpus ? resolve(options.corpus) : mkdtempSync(join(tmpdir(), 'traceguard-eval-'));
  try {
    const files = writeCorpus(corpus, options.seed, options.day, dir);
    const generatedS = (performance.now() - started) / 1000;
    // the corpus is one day of a few thousand customers: more customer-hours than analyze allows by default
    process.env.TRACEGUARD_ANALYZE_MAX_WINDOWS ??= String(Math.max(100_000, corpus.customers.length * 24));
    const output = await runAnalyze(files.inputs, {
      customers: files.customers,
      numbers: files.numbers,
      dno: files.dno,
      tracebacks: files.tracebacks,
      trunks: files.trunks,
      switch: files.trunkSwitch,
      policy: options.policy,
      format: 'json',
      inputFormat: 'auto',
      timezone: files.timezone,
    });
    const doc = findingsDocument.parse(JSON.parse([...output].join('')));
    const score = scoreFindings(corpus.labels, doc.findings);
    const { rows, calls, quarantined } = doc.summary;
    const results = {
      corpus: {
        seed: options.seed,
        day: options.day,
        ordinary_customers: options.customers,
        labelled_customers: corpus.labels.length,
        rows_written: files.rows,
      },
      rows: {
        in: rows,
        aggregated: calls,
        quarantined,
        balanced: rows === calls + quarantined && rows === files.rows,
      },
      targets: {
        recall_at_least_0_95: score.recall >= 0.95,
        abusive_high_share_at_least_0_9: score.abusive_high_share >= 0.9,
        no_legit_at_high: score.legit_at_high.length === 0,
        rows_balanced: rows === calls + quarantined,
      },
      ...score,
      seconds: { generate: round(generatedS), total: round((performance.now() - started) / 1000) },
    };
    mkdirSync(dirname(resolve(options.out)), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderReport(results));
    process.stdout.write(`results written to ${options.out}\n`);
  } finally {
    if (!options.corpus) rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

main().catch((error) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
