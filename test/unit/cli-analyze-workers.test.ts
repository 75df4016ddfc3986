import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PARALLEL_MIN_BYTES, prestartWorkers, workerCount } from '../../cli/analyze-prestart.ts';
import { runAnalyze } from '../../cli/analyze-run.ts';
import { UsageError } from '../../cli/errors.ts';
import { loadReference } from '../../cli/inputs.ts';
import { generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import { nativeFixtureDay } from '../helpers/native-day.ts';

/**
 * `traceguard analyze` on one batch big enough for worker threads, the way the command runs it:
 * workers started from the command line before the rest loads (prestartWorkers), then runAnalyze.
 * The findings must be exactly those of one thread (TRACEGUARD_ANALYZE_WORKERS=1), plain and gzip.
 */

const dir = mkdtempSync(join(tmpdir(), 'traceguard-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.TRACEGUARD_ANALYZE_WORKERS;
});

// just over the threshold once decoded: ~158 bytes a row
const text = [...generateCanonicalRows({ rows: 440_000, seed: 11, customers: 40 })].join('');
const csv = join(dir, 'big.csv');
const gz = join(dir, 'big.csv.gz');
writeFileSync(csv, text);
writeFileSync(gz, gzipSync(text, { level: 1 }));
// the same rows with every 50th of the first quarter moved to the end: the second worker reads calls
// for hours the first one wrote out long before, and the main thread merges both parts of each
const late = join(dir, 'late.csv');
{
  const [header, ...rows] = text.trimEnd().split('\n');
  const moved = (i: number) => i < rows.length / 4 && i % 50 === 0;
  writeFileSync(
    late,
    `${[header, ...rows.filter((_, i) => !moved(i)), ...rows.filter((_, i) => moved(i))].join('\n')}\n`,
  );
}
// reference data that makes rules fire (the rows themselves are ordinary traffic): some callers on
// the DNO list, and an inventory holding one number of each customer, so A-attested calls from
// the others are presented from numbers the customer does not hold, and three busy area codes by
// prefix for a customer that sends nothing, so every customer presents numbers another one holds
const seen = text
  .split('\n', 5000)
  .slice(1)
  .map((line) => line.split(','))
  .filter((f) => f.length > 8);
const dnoList = join(dir, 'dno.txt');
writeFileSync(dnoList, `${[...new Set(seen.slice(0, 3).map((f) => f[7]))].join('\n')}\n`);
const inventory = join(dir, 'numbers.csv');
const firstNumber = new Map(seen.map((f) => [f[5], f[7]]));
const areas = ['AREAS,+1314*', 'AREAS,+1718*', 'AREAS,+1801*'];
writeFileSync(
  inventory,
  `customer_id,number\n${[...[...firstNumber].map(([c, n]) => `${c},${n}`), ...areas].join('\n')}\n`,
);
const opts = { inputFormat: 'auto', format: 'json', dno: dnoList, numbers: inventory };

async function analyze(path: string, workers: string | undefined): Promise<{ threads: number; out: string }> {
  if (workers) process.env.TRACEGUARD_ANALYZE_WORKERS = workers;
  else delete process.env.TRACEGUARD_ANALYZE_WORKERS;
  const started = prestartWorkers([path], opts);
  return { threads: started.length, out: [...(await runAnalyze([path], opts, started))].join('') };
}

describe('analyze with worker threads, from the command line', () => {
  it.each([
    ['plain', csv],
    ['gzip', gz],
    ['rows out of time order', late],
  ])(
    '%s: two workers give exactly the findings of one thread',
    async (_, path) => {
      expect(Buffer.byteLength(text)).toBeGreaterThan(PARALLEL_MIN_BYTES);
      const parallel = await analyze(path, undefined);
      const single = await analyze(path, '1');
      expect(parallel.threads).toBe(Math.min(2, availableParallelism()));
      expect(single.threads).toBe(0);
      const doc = JSON.parse(parallel.out);
      expect(doc.summary).toMatchObject({ batches: 1, rows: 440_000, calls: 440_000, quarantined: 0 });
      expect(doc.findings.length).toBeGreaterThan(0);
      // the workers read the prefixes from the shared inventory as the main thread does
      expect(parallel.out).toContain('"OTHER_CUSTOMERS_NUMBER"');
      expect(parallel.out).toBe(single.out);
    },
    60_000,
  );

  it('a big JSON Lines or native batch is split like canonical CSV', () => {
    const line = '{"call_id":"c1","start_time":"2026-11-27T16:00:00Z"}\n';
    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(jsonl, `\ufeff \n${line}`);
    const jsonlGz = join(dir, 'rows.jsonl.gz');
    writeFileSync(jsonlGz, gzipSync(line));
    // sizes past the threshold (a plain file's size is taken as given, a gzip's as at least that)
    const big = PARALLEL_MIN_BYTES + 1;
    const cores = Math.min(2, availableParallelism());
    expect(workerCount(jsonl, big, 'auto')).toBe(cores);
    expect(workerCount(jsonlGz, big, 'auto')).toBe(cores);
    expect(workerCount(csv, big, 'auto')).toBe(cores);
    expect(workerCount(gz, big, 'auto')).toBe(cores);
    expect(workerCount(jsonl, big, 'jsonl')).toBe(cores);
    // native layouts, asked for or seen in the first row: each range is read as that layout
    expect(workerCount(jsonl, big, 'asterisk')).toBe(cores);
    const asterisk = join(import.meta.dirname, '../fixtures/native/asterisk-no-accountcode.csv');
    const freeswitch = join(import.meta.dirname, '../fixtures/native/freeswitch-no-accountcode.csv');
    expect(workerCount(asterisk, big, 'auto')).toBe(cores);
    expect(workerCount(freeswitch, big, 'auto')).toBe(cores);
    // what no reader takes is not cut: the one-thread read says what it is
    const neither = join(dir, 'neither.csv');
    writeFileSync(neither, 'a,b,c\n1,2,3\n');
    expect(workerCount(neither, big, 'auto')).toBe(1);
    expect(workerCount(csv, big, 'xml')).toBe(1);
    // a canonical header quoted, as CSV writers that quote every field write it
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(quoted, '"call_id","start_time","customer_id"\n"c1","2026-11-27T16:00:00Z","C1"\n');
    expect(workerCount(quoted, big, 'auto')).toBe(cores);
  });

  it('a big Asterisk batch: two workers give exactly the findings and unattributed count of one thread', async () => {
    // the fixture's rows (two of them without a customer the map can find) copied over a day, each
    // copy with its own unique id, past the threshold
    const day = nativeFixtureDay('asterisk-no-accountcode.csv', 0, 24, 1400);
    const path = join(dir, 'Master.csv');
    writeFileSync(path, `${day.join('\n')}\n`);
    // big enough, and seen as a layout the workers can cut
    expect(workerCount(path, statSync(path).size, 'auto')).toBe(Math.min(2, availableParallelism()));
    const native = {
      ...opts,
      timezone: 'America/New_York',
      trunks: join(import.meta.dirname, '../fixtures/native/trunks.csv'),
      switch: 'pbx-asterisk-1',
    };
    const run = async (workers: string) => {
      process.env.TRACEGUARD_ANALYZE_WORKERS = workers;
      return [...(await runAnalyze([path], native, prestartWorkers([path], native)))].join('');
    };
    const parallel = await run('2');
    const single = await run('1');
    const doc = JSON.parse(parallel);
    expect(doc.summary).toMatchObject({ batches: 1, rows: day.length, unattributed: day.length / 4 });
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(parallel).toBe(single);
  }, 60_000);

  it('a big batch whose lines end in a bare CR is read on one thread, whatever its format', () => {
    // ranges meet at LF: a CR-only batch has none, a CR-ended header would go to later ranges with a row in it
    const big = PARALLEL_MIN_BYTES + 1;
    const head = text.slice(0, 100_000);
    const crOnly = join(dir, 'cr-only.csv');
    writeFileSync(crOnly, head.replaceAll('\n', '\r'));
    const crHeader = join(dir, 'cr-header.csv');
    writeFileSync(crHeader, head.replace('\n', '\r'));
    const crGz = join(dir, 'cr-only.csv.gz');
    writeFileSync(crGz, gzipSync(head.replaceAll('\n', '\r')));
    for (const path of [crOnly, crHeader, crGz]) {
      expect(workerCount(path, big, 'auto')).toBe(1);
      expect(workerCount(path, big, 'canonical')).toBe(1);
    }
    const crJsonl = join(dir, 'cr.jsonl');
    writeFileSync(crJsonl, '{"call_id":"c1","start_time":"2026-11-27T16:00:00Z"}\r'.repeat(100));
    expect(workerCount(crJsonl, big, 'auto')).toBe(1);
    expect(workerCount(crJsonl, big, 'jsonl')).toBe(1);
    // CRLF is cut as before
    const crlf = join(dir, 'crlf.csv');
    writeFileSync(crlf, head.replaceAll('\n', '\r\n'));
    expect(workerCount(crlf, big, 'auto')).toBe(Math.min(2, availableParallelism()));
  });

  it('a batch below the threshold is read on one thread', () => {
    const small = join(dir, 'small.csv');
    writeFileSync(small, text.slice(0, 1_000_000));
    expect(prestartWorkers([small], opts)).toEqual([]);
  });

  it('a bad number inventory is the same usage error with workers as on one thread, though the main thread parses it only when used', async () => {
    const bad = join(dir, 'bad-numbers.csv');
    writeFileSync(bad, 'customer_id,number\nC0001,+12025550143\nC0002,call me\n');
    const badOpts = { ...opts, numbers: bad };
    const message = /bad-numbers\.csv: line 3: 'call me' is not an E\.164 number/;
    const started = prestartWorkers([csv], badOpts);
    expect(started.length).toBe(Math.min(2, availableParallelism()));
    await expect(runAnalyze([csv], badOpts, started)).rejects.toThrow(UsageError);
    await expect(runAnalyze([csv], badOpts, prestartWorkers([csv], badOpts))).rejects.toThrow(message);
    process.env.TRACEGUARD_ANALYZE_WORKERS = '1';
    await expect(runAnalyze([csv], badOpts, [])).rejects.toThrow(message);
    // deferred, the file is not even read until the inventory is used; eager, it is read at once
    const missing = { numbers: join(dir, 'no-such-numbers.csv') };
    const ref = loadReference(missing, true);
    expect(() => ref.inventory).toThrow(UsageError);
    expect(() => ref.inventory).toThrow(/no-such-numbers\.csv: cannot read number inventory \(ENOENT\)/);
    expect(() => loadReference(missing)).toThrow(/no-such-numbers\.csv: cannot read number inventory/);
    // used, it is the inventory the file holds
    const deferred = loadReference({ numbers: inventory }, true).inventory;
    expect(deferred.entries()).toEqual(loadReference({ numbers: inventory }).inventory.entries());
    expect(deferred.size).toBe(firstNumber.size + areas.length);
  }, 60_000);

  it('a bad TRACEGUARD_ANALYZE_WORKERS is a usage error naming the variable', async () => {
    process.env.TRACEGUARD_ANALYZE_WORKERS = 'two';
    await expect(runAnalyze([csv], opts, [])).rejects.toThrow(UsageError);
    await expect(runAnalyze([csv], opts, [])).rejects.toThrow(/TRACEGUARD_ANALYZE_WORKERS .*'two'/);
  });
});
