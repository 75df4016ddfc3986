import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { CANONICAL_COLUMNS } from '../../shared/cdr/raw-call.ts';
import { AREA_CODES_BY_ZONE, ZONES } from './nanp.ts';
import { mulberry32 } from './random.ts';

/**
 * Cheap canonical CSV rows for benchmarks (100k / 1M / 2M-row batches). Unlike the sample day it models
 * no planted behaviour, only realistic-looking rows: every customer calls from its own small number
 * pool, ASR about 60%, conversational durations, mostly A-attested. Constant memory, no Date objects
 * in the hot loop, and a few microseconds per row.
 */

// the contract's column order (docs/input-contract.md), the one the readers know
export { CANONICAL_COLUMNS };

export interface CanonicalRowsOptions {
  rows: number;
  seed: number;
  customers: number;
  /** UTC day the rows spread over, yyyy-mm-dd (default 2026-11-27) */
  day?: string;
  /** trunks each customer spreads its calls over (default 1) */
  trunksPerCustomer?: number;
  /** when true, 1% of customers (at least one) carry half the calls; default uniform */
  skewed?: boolean;
}

const AREAS: string[] = ZONES.flatMap((zone) => [...AREA_CODES_BY_ZONE[zone]]);
const FAILURES = [
  [486, 'BUSY'],
  [487, 'CANCELLED'],
  [480, 'NO_ANSWER'],
  [404, 'FAILED'],
  [603, 'REJECTED'],
] as const;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Yields the header line, then `rows` data lines, each ending in '\n' (so `Readable.from(...)` can be
 * piped straight to a file). Rows are in start-time order across the day.
 */
export function* generateCanonicalRows(options: CanonicalRowsOptions): Generator<string> {
  const { rows, seed, customers } = options;
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a whole number >= 0, got ${rows}`);
  if (!Number.isInteger(customers) || customers < 1)
    throw new Error(`customers must be a whole number >= 1, got ${customers}`);
  const day = options.day ?? '2026-11-27';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`day must be written yyyy-mm-dd, got "${day}"`);
  const trunksPer = options.trunksPerCustomer ?? 1;
  if (!Number.isInteger(trunksPer) || trunksPer < 1)
    throw new Error(`trunksPerCustomer must be a whole number >= 1, got ${trunksPer}`);
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const hot = Math.max(1, Math.floor(customers / 100));
  // with skew, half the calls go to the first `hot` customers and half to the rest
  const pickCustomer = !options.skewed
    ? () => int(customers)
    : () => (next() < 0.5 || hot === customers ? int(hot) : hot + int(customers - hot));
  const number = () => {
    let nxx = 200 + int(800);
    if (nxx % 100 === 11 || nxx === 555) nxx++;
    return `+1${AREAS[int(AREAS.length)]}${nxx}${String(int(10000)).padStart(4, '0')}`;
  };
  // per-customer identity: id, trunk, source address, 8 numbers it calls from
  const ids: string[] = [];
  const trunks: string[] = [];
  const ips: string[] = [];
  const pools: string[][] = [];
  for (let c = 0; c < customers; c++) {
    ids.push(`C${String(c + 1).padStart(4, '0')}`);
    trunks.push(`T${c + 1}`);
    ips.push(`198.51.100.${(c % 250) + 2}`);
    pools.push(Array.from({ length: 8 }, number));
  }
  const idPrefix = (seed >>> 0).toString(16).padStart(8, '0');
  const datePrefix = `${day}T`;
  const secondsOfDay = 86_400;
  // the answer or end of a late call may cross midnight: it is on the next day (an end before its
  // start is a row the readers quarantine)
  const nextDatePrefix = `${new Date(Date.parse(day) + secondsOfDay * 1000).toISOString().slice(0, 10)}T`;
  // a time (seconds from the start of `day`) as yyyy-mm-ddTHH:MM:SSZ
  const time = (s: number) => {
    const t = s % secondsOfDay;
    const prefix = s < secondsOfDay ? datePrefix : nextDatePrefix;
    return `${prefix}${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}Z`;
  };

  yield `${CANONICAL_COLUMNS.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    const c = pickCustomer();
    const trunk = trunksPer === 1 ? trunks[c] : `${trunks[c]}-${1 + int(trunksPer)}`;
    const start = Math.floor((i * secondsOfDay) / Math.max(1, rows));
    const calling = pools[c][int(8)];
    const called = number();
    const roll = next();
    const attestation = roll < 0.9 ? 'A' : roll < 0.96 ? 'B' : roll < 0.98 ? 'C' : '';
    const verstat = attestation === '' ? 'No-TN-Validation' : 'TN-Validation-Passed';
    const callId = `${idPrefix}-${i.toString(36)}`;
    if (next() < 0.6) {
      const answer = start + 3 + int(15);
      const duration =
        next() < 0.08 ? 1 + int(5) : Math.round(120 * Math.exp(0.9 * (next() + next() + next() - 1.5)));
      yield `${callId},${time(start)},${time(answer)},${time(answer + duration)},${duration},${ids[c]},${trunk},${calling},${called},200,ANSWERED,${attestation},${verstat},${ips[c]}\n`;
    } else {
      const [code, disposition] = FAILURES[int(FAILURES.length)];
      yield `${callId},${time(start)},,${time(start + 2 + int(30))},0,${ids[c]},${trunk},${calling},${called},${code},${disposition},${attestation},${verstat},${ips[c]}\n`;
    }
  }
}

/**
 * Streams generateCanonicalRows into `path` (gzip when `gzip` is true), in ~1 MB writes that respect
 * back-pressure, so memory stays flat however many rows are asked for.
 */
export async function writeCanonicalCsv(
  path: string,
  options: CanonicalRowsOptions & { gzip?: boolean },
): Promise<void> {
  const file = createWriteStream(path);
  const sink = options.gzip ? createGzip() : null;
  if (sink) sink.pipe(file);
  const target = sink ?? file;
  let chunk = '';
  for (const line of generateCanonicalRows(options)) {
    chunk += line;
    if (chunk.length >= 1 << 20) {
      if (!target.write(chunk)) await once(target, 'drain');
      chunk = '';
    }
  }
  target.end(chunk);
  await once(file, 'finish');
}
