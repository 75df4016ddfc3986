import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LoadFigures } from '../test/load/load-run.ts';
import {
  BENCH_SEED,
  type BenchReference,
  type BenchShape,
  ensureDataSet,
  ensureReference,
  shapeTag,
} from './data.ts';
import { measure, type Run } from './measure.ts';
import { round, type Summary, summarize } from './stats.ts';

/**
 * `npm run bench`: analyze against the read floor and DuckDB on the same seeded canonical CSV, plain
 * and gzip, over a sweep of traffic shapes (rows, customers, trunks, uniform or skewed; see POINTS). Every contender runs as its own process, in turn (floor, analyze,
 * DuckDB 1 thread, DuckDB 2 threads) `--runs` times, so each run gives paired ratios taken under the
 * same machine load. Prints a table and writes bench/results/<timestamp>.json and latest.json.
 * Opt-in ingest-path figures, each from one child run after the analyze contenders: `--ingest` (DynamoDB
 * requests and items for a 10k- and a 100k-row batch, bench/ingest-child.ts) and `--stack-rows <n>` (n
 * rows through the whole local stack end to end in batches of 10k, bench/stack-child.ts; minutes).
 */

/**
 * rows per object dropped into the local stack by --stack-rows (1M rows: 100 objects), as in the load
 * test (test/load/load-full.test.ts). Larger objects fail: the local S3 (fauxqs) refuses a PutObject body
 * over 11 MiB (100k plain rows are about 15 MB), and with 50k-row objects all 1M rows were done in about
 * a minute but runLoad's wait for an idle stack (120 s) timed out while the findings' escalations ran
 */
const STACK_BATCH_ROWS = 10_000;

/** One data set of the sweep: how many rows, in what traffic shape. */
interface SweepPoint {
  rows: number;
  shape: BenchShape;
}

/**
 * A point written `<rows>/c<customers>[t<trunks per customer>][-skew]`, e.g. `1000000/c2000t2-skew`:
 * the rows, the customers, each customer's trunks (default 1) and whether 1% of the customers carry
 * half the calls.
 */
const POINT = /^(\d[\d_]*)\/c(\d+)(?:t(\d+))?(-skew)?$/;

function parsePoint(text: string): SweepPoint | string {
  const m = POINT.exec(text.trim());
  if (!m) return `'${text}' is not <rows>/c<customers>[t<trunks>][-skew]`;
  const rows = Number(m[1].replaceAll('_', ''));
  const customers = Number(m[2]);
  const trunksPerCustomer = m[3] === undefined ? 1 : Number(m[3]);
  if (rows < 1 || customers < 1 || trunksPerCustomer < 1) return `'${text}': every count must be at least 1`;
  return { rows, shape: { customers, trunksPerCustomer, skewed: m[4] !== undefined } };
}

/**
 * The sweep: 100 customers (the shape the bench always measured), then carrier scale: 2,000 and 20,000
 * customers with two trunks each, uniform and skewed, at 1M rows, and 2,000 customers at 2M rows (does
 * memory stay flat as the batch grows?). --quick divides every row count by 10 for development.
 */
const POINTS = [
  '1000000/c100',
  '1000000/c100-skew',
  '1000000/c2000t2',
  '1000000/c2000t2-skew',
  '1000000/c20000t2',
  '1000000/c20000t2-skew',
  '2000000/c2000t2',
].join(',');

const optionsSchema = z.object({
  points: z.string().transform((text, ctx) => {
    const out: SweepPoint[] = [];
    for (const p of text.split(',')) {
      const point = parsePoint(p);
      if (typeof point === 'string') {
        ctx.addIssue({ code: 'custom', message: point });
        return z.NEVER;
      }
      out.push(point);
    }
    return out;
  }),
  quick: z.boolean(),
  runs: z.coerce.number().int().min(1, '--runs must be at least 1').max(50),
  'data-dir': z.string().min(1),
  out: z.string().min(1),
  ingest: z.boolean(),
  'stack-rows': z
    .string()
    .transform((n) => Number(n.replaceAll('_', '')))
    .pipe(
      z
        .number()
        .int()
        .min(0, '--stack-rows must be 0 (skip) or a row count')
        .refine(
          (n) => n <= STACK_BATCH_ROWS || n % STACK_BATCH_ROWS === 0,
          `--stack-rows above ${STACK_BATCH_ROWS} must be a multiple of ${STACK_BATCH_ROWS} (one batch per ${STACK_BATCH_ROWS} rows)`,
        ),
    ),
});

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: POINTS },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    'data-dir': { type: 'string', default: 'bench/data' },
    out: { type: 'string', default: 'bench/results' },
    ingest: { type: 'boolean', default: false },
    'stack-rows': { type: 'string', default: '0' },
  },
});
const parsed = optionsSchema.safeParse(values);
if (!parsed.success) {
  process.stderr.write(
    `bench: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
  );
  process.exit(2);
}
const opts = parsed.data;
// a day of 20,000 customers is 480,000 customer-hour windows, far past analyze's default cap; the
// sweep measures what those windows cost, so the cap is raised for every child (unless set already)
process.env.TRACEGUARD_ANALYZE_MAX_WINDOWS ??= '2000000';
const points: SweepPoint[] = opts.points.map((p) =>
  opts.quick ? { ...p, rows: Math.max(1000, Math.round(p.rows / 10)) } : p,
);

const duckOutput = z.object({ groups: z.number(), rows: z.number(), queryMs: z.number() });
const floorOutput = z.object({ read: z.number(), decoded: z.number() });
const analyzeOutput = z.object({ summary: z.object({ rows: z.number(), calls: z.number() }) });
const ingestBatch = z.object({
  rows: z.number(),
  parts: z.number(),
  windows: z.number(),
  findings: z.number(),
  requests: z.number(),
  items: z.number(),
  commands: z.record(z.string(), z.number()),
  ms: z.number(),
});
const ingestOutput = z.object({
  small: ingestBatch,
  large: ingestBatch,
  /** a day of 2,000 customers in one ~100 MB batch, with the child's resident memory before and at peak */
  carrier: ingestBatch.extend({
    customers: z.number(),
    bytes: z.number(),
    rssBeforeMb: z.number(),
    peakRssMb: z.number(),
  }),
  /** the day review of the carrier batch's day: customer-days judged, its DynamoDB requests, wall time */
  carrierDayReview: z.object({
    days: z.number(),
    customers: z.number(),
    published: z.number(),
    left: z.number(),
    writeRequests: z.number(),
    items: z.number(),
    commands: z.record(z.string(), z.number()),
    ms: z.number(),
  }),
});
const stackOutput = z.object({
  batches: z.number(),
  rows: z.number(),
  customers: z.number(),
  uploadSeconds: z.number(),
  wallSeconds: z.number(),
  rowsPerSecond: z.number(),
  longestQueueAgeSeconds: z.number(),
  longestLatencySeconds: z.number(),
  aggregatedCalls: z.number(),
  quarantined: z.number(),
  windows: z.number(),
  invocations: z.number(),
  problems: z.array(z.string()),
}) satisfies z.ZodType<LoadFigures>;

const CONTENDERS = ['floor', 'analyze', 'duckdb1', 'duckdb2'] as const;
type Contender = (typeof CONTENDERS)[number];

function argsFor(who: Contender, file: string, ref: BenchReference): string[] {
  switch (who) {
    case 'floor':
      return ['bench/floor-child.ts', file];
    case 'analyze':
      return [
        'bin/traceguard.js',
        'analyze',
        '--format',
        'json',
        '--customers',
        ref.customers,
        '--numbers',
        ref.numbers,
        '--dno',
        ref.dno,
        file,
      ];
    case 'duckdb1':
      return ['bench/duckdb-child.ts', file, '1'];
    case 'duckdb2':
      return ['bench/duckdb-child.ts', file, '2'];
  }
}

/** Checks each contender read every row, so a fast wrong answer cannot pass as a result. */
function checkOutput(who: Contender, run: Run, rows: number, decodedBytes: number): void {
  const where = `${who} output`;
  if (who === 'floor') {
    const out = floorOutput.parse(JSON.parse(run.stdout), { error: () => `${where} is not {read, decoded}` });
    if (out.decoded !== decodedBytes)
      throw new Error(`${where}: decoded ${out.decoded} bytes, expected ${decodedBytes}`);
  } else if (who === 'analyze') {
    const out = analyzeOutput.parse(JSON.parse(run.stdout), { error: () => `${where} lacks summary` });
    if (out.summary.calls !== rows) throw new Error(`${where}: ${out.summary.calls} calls, expected ${rows}`);
  } else {
    const out = duckOutput.parse(JSON.parse(run.stdout), { error: () => `${where} is not {groups, rows}` });
    if (out.rows !== rows) throw new Error(`${where}: counted ${out.rows} rows, expected ${rows}`);
  }
}

interface ContenderResult {
  wallMs: Summary;
  peakRssMb: Summary;
  rowsPerS: number;
  mbPerS: number;
}

interface SetResult {
  rows: number;
  customers: number;
  trunksPerCustomer: number;
  skewed: boolean;
  format: 'csv' | 'gzip';
  fileBytes: number;
  decodedBytes: number;
  contenders: Record<Contender, ContenderResult>;
  /** throughput ratios per run (analyze speed / other speed), paired within each run */
  ratios: { analyzeVsDuckdb1: Summary; analyzeVsDuckdb2: Summary; analyzeVsFloor: Summary };
}

const MB = 1024 * 1024;
const started = new Date();
const loadStart = loadavg();
const dataDir = opts['data-dir'];
const compileCache = join(dataDir, 'compile-cache');
const sets: SetResult[] = [];

for (const { rows, shape } of points) {
  const tag = shapeTag(shape);
  process.stderr.write(`bench: preparing ${rows} rows, ${tag} (generated once, then reused)\n`);
  const data = await ensureDataSet(dataDir, rows, shape);
  const ref = await ensureReference(dataDir, data, shape);
  for (const format of ['csv', 'gzip'] as const) {
    const file = format === 'csv' ? data.csv : data.gzip;
    const fileBytes = format === 'csv' ? data.csvBytes : data.gzipBytes;
    const runs: Record<Contender, Run[]> = { floor: [], analyze: [], duckdb1: [], duckdb2: [] };
    // one warm-up round (page cache, module compile cache), not counted
    for (const who of CONTENDERS) await measure(argsFor(who, file, ref), compileCache);
    for (let i = 0; i < opts.runs; i++) {
      for (const who of CONTENDERS) {
        const run = await measure(argsFor(who, file, ref), compileCache);
        checkOutput(who, run, rows, data.csvBytes);
        runs[who].push(run);
      }
      process.stderr.write(
        `bench: ${rows} ${tag} ${format} run ${i + 1}/${opts.runs}: ${CONTENDERS.map((w) => `${w} ${(runs[w][i].wallMs / 1000).toFixed(2)}s`).join(', ')}\n`,
      );
    }
    const contenders = {} as Record<Contender, ContenderResult>;
    for (const who of CONTENDERS) {
      const wallMs = summarize(runs[who].map((r) => round(r.wallMs, 1)));
      wallMs.median = round(wallMs.median, 1);
      contenders[who] = {
        wallMs,
        peakRssMb: summarize(runs[who].map((r) => round(r.peakRssKb / 1024))),
        rowsPerS: Math.round(rows / (wallMs.median / 1000)),
        mbPerS: round(fileBytes / MB / (wallMs.median / 1000), 1),
      };
    }
    const paired = (other: Contender) => {
      const s = summarize(runs.analyze.map((a, i) => round(runs[other][i].wallMs / a.wallMs, 3)));
      s.median = round(s.median, 3);
      return s;
    };
    sets.push({
      rows,
      ...shape,
      format,
      fileBytes,
      decodedBytes: data.csvBytes,
      contenders,
      ratios: {
        analyzeVsDuckdb1: paired('duckdb1'),
        analyzeVsDuckdb2: paired('duckdb2'),
        analyzeVsFloor: paired('floor'),
      },
    });
  }
}

/** the opt-in ingest-path figures, each from one child process */
let ingest: (z.infer<typeof ingestOutput> & { wallMs: number; peakRssMb: number }) | undefined;
if (opts.ingest) {
  process.stderr.write('bench: ingest path, DynamoDB requests per batch (DynamoDB Local)\n');
  const run = await measure(['bench/ingest-child.ts', dataDir], compileCache);
  ingest = {
    ...ingestOutput.parse(JSON.parse(run.stdout), {
      error: () => 'ingest-child output is not {small, large, carrier}',
    }),
    wallMs: round(run.wallMs, 1),
    peakRssMb: round(run.peakRssKb / 1024),
  };
}
let stack: (z.infer<typeof stackOutput> & { peakRssMb: number }) | undefined;
if (opts['stack-rows'] > 0) {
  const rows = opts['stack-rows'];
  const batches = Math.max(1, rows / STACK_BATCH_ROWS);
  process.stderr.write(
    `bench: ${rows} rows through the local stack in ${batches} batch(es) (takes minutes)\n`,
  );
  const run = await measure(['bench/stack-child.ts', String(rows), String(batches)], compileCache);
  // the handlers' own log lines (worker threads) share the child's stdout: the figures are its last line
  const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
  const figures = stackOutput.parse(JSON.parse(last), {
    error: () => 'stack-child output is not LoadFigures',
  });
  if (figures.rows !== rows || figures.aggregatedCalls + figures.quarantined !== rows)
    throw new Error(
      `stack-child: ${figures.aggregatedCalls} + ${figures.quarantined} rows accounted for, expected ${rows}`,
    );
  // peak RSS of the bench child: the whole local stack (emulators in-process, handlers in worker threads)
  // except DynamoDB Local, which runs as its own Java process
  stack = { ...figures, peakRssMb: round(run.peakRssKb / 1024) };
}

const machine = {
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverage: { start: loadStart.map((l) => round(l)), end: loadavg().map((l) => round(l)) },
};
/** analyze's peak RSS from the smallest to the largest size of each shape measured at two sizes, per format */
const rssGrowth = [...new Set(sets.map((s) => shapeTag(s)))].flatMap((tag) => {
  const ofShape = sets.filter((s) => shapeTag(s) === tag);
  const sizes = [...new Set(ofShape.map((s) => s.rows))].sort((a, b) => a - b);
  if (sizes.length < 2) return [];
  const [from, to] = [sizes[0], sizes[sizes.length - 1]];
  return (['csv', 'gzip'] as const).map((format) => {
    const at = (rows: number) =>
      ofShape.find((s) => s.rows === rows && s.format === format)?.contenders.analyze.peakRssMb.median ?? 0;
    return { shape: tag, format, fromRows: from, toRows: to, fromMb: at(from), toMb: at(to) };
  });
});
const result = {
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  host: hostname(),
  machine,
  data: { seed: BENCH_SEED, generator: 'scripts/sample/canonical-csv.ts' },
  quick: opts.quick,
  runs: opts.runs,
  method:
    'wall time of each whole process (start-up included) from spawn to exit; peak RSS from process.resourceUsage().maxRSS at exit; ratios are DuckDB (or floor) wall time / analyze wall time within the same run, so > 1 means analyze is faster',
  sets,
  rssGrowth,
  ...(ingest && { ingest }),
  ...(stack && { stack }),
};

mkdirSync(opts.out, { recursive: true });
const stamp = started
  .toISOString()
  .replaceAll(':', '-')
  .replace(/\.\d+Z$/, 'Z');
writeFileSync(join(opts.out, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(opts.out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

const lines = [
  `machine: ${machine.cpus} cpus, ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverage.start.join(' ')} -> ${machine.loadAverage.end.join(' ')}`,
  `${opts.runs} runs each; median (min) wall time; rows/s and MB/s of the file on disk at the median`,
  '',
  '| rows | shape | format | contender | wall s | rows/s | MB/s | peak RSS MB |',
  '| ---: | --- | --- | --- | ---: | ---: | ---: | ---: |',
];
for (const s of sets) {
  for (const who of CONTENDERS) {
    const c = s.contenders[who];
    lines.push(
      `| ${s.rows} | ${shapeTag(s)} | ${s.format} | ${who} | ${(c.wallMs.median / 1000).toFixed(2)} (${(c.wallMs.min / 1000).toFixed(2)}) | ${c.rowsPerS} | ${c.mbPerS} | ${c.peakRssMb.median} |`,
    );
  }
}
lines.push(
  '',
  '| rows | shape | format | analyze / DuckDB 1t | analyze / DuckDB 2t | analyze / read floor | analyze peak RSS MB |',
  '| ---: | --- | --- | ---: | ---: | ---: | ---: |',
);
for (const s of sets) {
  const r = s.ratios;
  lines.push(
    `| ${s.rows} | ${shapeTag(s)} | ${s.format} | ${r.analyzeVsDuckdb1.median}x | ${r.analyzeVsDuckdb2.median}x | ${r.analyzeVsFloor.median}x | ${s.contenders.analyze.peakRssMb.median} |`,
  );
}
for (const g of rssGrowth)
  lines.push(
    `analyze peak RSS, ${g.shape} ${g.format}: ${g.fromMb} MB at ${g.fromRows} rows -> ${g.toMb} MB at ${g.toRows} rows`,
  );
if (ingest) {
  const { small: s, large: l, carrier: c, carrierDayReview: r } = ingest;
  lines.push(
    '',
    `ingest (DynamoDB Local, one batch each, ${l.windows} windows): ${s.rows} rows -> ${s.requests} write requests (${s.items} items, ${s.findings} findings) in ${s.ms} ms; ` +
      `${l.rows} rows -> ${l.requests} write requests (${l.items} items, ${l.findings} findings) in ${l.ms} ms`,
    `ingest requests by command, ${l.rows} rows: ${Object.entries(l.commands)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
    `ingest at carrier scale: ${c.rows} rows (${round(c.bytes / MB)} MB) from ${c.customers} customers in ${c.parts} parts -> ${c.windows} windows, ${c.requests} write requests (${c.items} items, ${c.findings} findings) in ${round(c.ms / 1000, 1)} s; resident memory ${c.rssBeforeMb} MB before (the batch held in memory), ${c.peakRssMb} MB at peak`,
    `day review of that day: ${r.customers} customer-day(s) judged whole (${r.left} left), ${r.published} day finding(s), ${r.writeRequests} write requests (${r.items} items) in ${round(r.ms / 1000, 1)} s; requests by command: ${Object.entries(
      r.commands,
    )
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
  );
}
if (stack)
  lines.push(
    '',
    `local stack end to end: ${stack.rows} rows in ${stack.batches} batches -> ${stack.wallSeconds.toFixed(1)} s, ${stack.rowsPerSecond} rows/s (upload ${stack.uploadSeconds.toFixed(1)} s, ${stack.windows} windows, ${stack.invocations} invocations)`,
  );
process.stdout.write(`${lines.join('\n')}\n\nresults: ${join(opts.out, `${stamp}.json`)}\n`);
