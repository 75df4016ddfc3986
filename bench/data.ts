import { createReadStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeCanonicalCsv } from '../scripts/sample/canonical-csv.ts';

/**
 * The bench's input: seeded canonical CSV at fixed sizes, plain and gzip, plus reference data derived
 * from the same rows so the analyze run exercises the inventory and DNO checks, not just empty lookups.
 * Files are generated once per (rows, seed, customers) and reused; the name carries all three.
 */

export const BENCH_SEED = 20261127;
export const BENCH_CUSTOMERS = 100;

/**
 * The traffic a data set models: how many customers, how many trunks each, and whether calls spread
 * evenly over them or 1% of the customers carry half the calls.
 */
export interface BenchShape {
  customers: number;
  trunksPerCustomer: number;
  skewed: boolean;
}

/** the shape the bench measured first: 100 customers, one trunk each, uniform */
export const BASE_SHAPE: BenchShape = { customers: BENCH_CUSTOMERS, trunksPerCustomer: 1, skewed: false };

/** A shape's part of a file name; the base shape keeps the names its files always had. */
export function shapeTag(shape: BenchShape): string {
  const trunks = shape.trunksPerCustomer === 1 ? '' : `t${shape.trunksPerCustomer}`;
  return `c${shape.customers}${trunks}${shape.skewed ? '-skew' : ''}`;
}

export interface BenchDataSet {
  rows: number;
  csv: string;
  gzip: string;
  csvBytes: number;
  gzipBytes: number;
}

export interface BenchReference {
  customers: string;
  numbers: string;
  dno: string;
}

function fileName(rows: number, shape: BenchShape, ext: string): string {
  return `canonical-${rows}-s${BENCH_SEED}-${shapeTag(shape)}.${ext}`;
}

async function ensureFile(path: string, rows: number, shape: BenchShape, gzip: boolean): Promise<void> {
  if (existsSync(path)) return;
  const partial = `${path}.partial`;
  await writeCanonicalCsv(partial, { rows, seed: BENCH_SEED, ...shape, gzip });
  renameSync(partial, path); // a killed run never leaves a short file under the final name
}

export async function ensureDataSet(
  dir: string,
  rows: number,
  shape: BenchShape = BASE_SHAPE,
): Promise<BenchDataSet> {
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, fileName(rows, shape, 'csv'));
  const gzip = join(dir, fileName(rows, shape, 'csv.gz'));
  await ensureFile(csv, rows, shape, false);
  await ensureFile(gzip, rows, shape, true);
  return { rows, csv, gzip, csvBytes: statSync(csv).size, gzipBytes: statSync(gzip).size };
}

/**
 * Registry, inventory and DNO list for the bench customers. The inventory holds three of every four
 * calling numbers a customer used in the first rows (so some A-attested calls fall outside it), and the
 * DNO list a handful of them, so every per-call reference check does real work.
 */
export async function ensureReference(
  dir: string,
  sample: BenchDataSet,
  shape: BenchShape = BASE_SHAPE,
): Promise<BenchReference> {
  const tag = shapeTag(shape);
  const ref = {
    customers: join(dir, `customers-${tag}.csv`),
    numbers: join(dir, `numbers-s${BENCH_SEED}-${tag}.csv`),
    dno: join(dir, `dno-s${BENCH_SEED}-${tag}.txt`),
  };
  if (existsSync(ref.customers) && existsSync(ref.numbers) && existsSync(ref.dno)) return ref;
  const poolOf = new Map<string, Set<string>>();
  const lines = createInterface({ input: createReadStream(sample.csv) });
  let n = 0;
  for await (const line of lines) {
    if (n++ === 0) continue;
    if (n > Math.max(50_000, shape.customers * 25)) break;
    const f = line.split(',');
    const set = poolOf.get(f[5]) ?? new Set<string>();
    set.add(f[7]);
    poolOf.set(f[5], set);
  }
  lines.close();
  const ids = [...poolOf.keys()].sort();
  const profiles = ['conversational', 'call_center', 'notifications', 'dialer'];
  const vetting = ['new', 'standard', 'trusted'];
  writeFileSync(
    ref.customers,
    `customer_id,name,onboarded_at,vetting,traffic_profile\n${ids
      .map((id, i) => `${id},Bench ${id},2025-01-01,${vetting[i % 3]},${profiles[i % 4]}`)
      .join('\n')}\n`,
  );
  const inventory: string[] = [];
  const dno: string[] = [];
  ids.forEach((id, i) => {
    [...(poolOf.get(id) ?? [])].sort().forEach((num, j) => {
      if (j % 4 !== 3) inventory.push(`${id},${num}`);
      if (i % 10 === 0 && j === 0) dno.push(num);
    });
  });
  writeFileSync(ref.numbers, `customer_id,number\n${inventory.join('\n')}\n`);
  writeFileSync(ref.dno, `# bench DNO list\n${dno.join('\n')}\n`);
  return ref;
}
