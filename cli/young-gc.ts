import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (o: { type: 'minor' | 'major'; execution?: 'sync'; flavor?: 'last-resort' }) => void;

/**
 * V8's `gc`, for the main thread of analyze (releaseGrownYoungGeneration, collectAfterRead), or null
 * where it is not available. It comes from a fresh context made while `--expose-gc` is set (the flag
 * only adds `gc` to contexts made from then on); the flag is then set back. Left on, it changed V8's
 * flag hash for the rest of the run: worker threads started after it compiled Node's built-in
 * modules anew (bin/traceguard.js), and code compiled before it and cached after it would not match
 * the next run's cache.
 */
let collector: Gc | null | undefined;

function exposedGc(): Gc | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collector = typeof exposed === 'function' ? (exposed as Gc) : null;
  } catch {
    collector = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collector;
}

/** A young generation past this has grown on a burst the rest of the run does not repeat. */
const YOUNG_GENERATION_KEPT_BYTES = 8 << 20;

/**
 * Gives back the memory of a young generation that grew while loading (V8 grows it when most of what
 * is allocated survives, as a registry does while it is parsed) and would otherwise stay as it is for
 * the rest of the run: for the main thread, which waits while the analyze workers read. Only a
 * collection that reduces memory shrinks it, and that one takes several full collections (about
 * 0.1 s of a thread that has nothing else to do, beside workers that have a core each). It grows to
 * 17 MB and more even for a 100-customer registry, so it runs past YOUNG_GENERATION_KEPT_BYTES.
 * Measured, paired: at 20,000 customers (young generation 67 -> 1 MB) peak RSS 607 -> 548 MB; with
 * the threshold lowered from 32 MB to 8 (once the main thread no longer parsed the inventory, its young
 * generation stayed below 32 MB and kept 30 MB more): 100 customers 175 -> 164 MB, 2,000 customers
 * 222 -> 202 MB, 20,000 customers 416 -> 399 MB, wall time 0.96-1.0x.
 * Scoring grows it too (each customer's windows live while the customer is scored): to 32-64 MB
 * at 2M rows, and it was then the last moments' peak, while the findings were written. Given back
 * once scoring is done (20-56 ms), the 2M-row peak fell from 217 to 177 MB (6 paired runs, 2,000
 * customers; 1M rows 160 MB either way).
 */
export function releaseGrownYoungGeneration(): void {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!young || young.space_size <= YOUNG_GENERATION_KEPT_BYTES) return;
  collectReducingMemory();
}

/**
 * Collects the garbage of a read the main thread did itself (the one-thread read of analyze), once
 * its windows have been handed over: every customer's open hours and the parser's tables. Left to
 * V8, they stayed while scoring grew the heap past them, since nothing made a full collection run
 * in between; the collection that reduces memory also gives back the young generation the read
 * grew. Measured, 20,000 customers: 200k rows (32 MB) peak RSS 306-311 -> 197-200 MB, 1M rows in
 * two files 371 -> 270 MB, for a collection of 50-80 ms.
 */
export function collectAfterRead(): void {
  collectReducingMemory();
}

/** V8's collection that gives back all the memory it can (several full collections). */
function collectReducingMemory(): void {
  exposedGc()?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Runs `score` (analyze scoring every customer) with V8's allocation-site pretenuring off. V8 moves an
 * allocation site to the old generation once enough of what it makes survives a young collection.
 * Scoring builds each customer's windows, scores them and drops them: when collections happened to
 * fall while customers were alive, the window sites went old for good and dead customers piled up in
 * the old generation until a full collection. At 20,000 customers about one run in 20 then peaked at
 * 522-564 MB, in its last half second, where the others peak at 277-297 MB through the read.
 * The flag is set only for this and set back after: left on for the whole run (as it once was), it
 * changed V8's flag hash, and worker threads compiled Node's built-in modules anew (bin/traceguard.js).
 * Scoring starts once every worker has finished, and loads no module.
 */
export function withoutPretenuring<T>(score: () => T): T {
  setFlagsFromString('--no-allocation-site-pretenuring');
  try {
    return score();
  } finally {
    setFlagsFromString('--allocation-site-pretenuring');
  }
}

/** customers scored between two looks at the young generation (a look costs microseconds) */
const CUSTOMERS_PER_LOOK = 128;
/** the young generation scoring grows to in most runs; past it, scoring gives the rest back */
const SCORING_YOUNG_GENERATION_BYTES = 64 << 20;

function youngGenerationSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * A hook for analyzeAll that keeps the young generation scoring grows within
 * SCORING_YOUNG_GENERATION_BYTES: every CUSTOMERS_PER_LOOK customers it looks, and once V8 has grown
 * it past that, gives it back (collectReducingMemory). Scoring keeps each customer's windows alive
 * while it scores them, with pretenuring off (withoutPretenuring), so most of what a young collection
 * finds survives, which is what makes V8 grow the young generation: to 64 MB in most runs at 20,000
 * customers, and in about one run in eight to 128 MB, whose pages, filled as scoring went on, took
 * that run's peak from 280-305 MB to 345-362 MB.
 */
export function scoringHeapGuard(): (customers: number) => void {
  return (customers) => {
    if (customers % CUSTOMERS_PER_LOOK !== 0) return;
    if (youngGenerationSize() > SCORING_YOUNG_GENERATION_BYTES) collectReducingMemory();
  };
}
