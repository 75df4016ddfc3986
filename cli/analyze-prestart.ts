import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Starts the analyze worker threads before anything else loads, when the command line alone shows
 * they will be used (one input file, big enough, canonical or auto format): a worker takes a few
 * hundred milliseconds to boot and load its modules, which then overlaps the main thread's own start
 * (modules, reference data). The workers wait for their input by message (analyze-worker.ts); unused
 * ones must be terminated. Only node: imports here, so this module itself loads instantly.
 */

/** below this a batch is read on one thread: starting workers costs more than it saves */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

export function workerCount(fileBytes: number, format: string): number {
  if (format !== 'auto' && format !== 'canonical') return 1;
  if (fileBytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(2, availableParallelism());
}

export function startWorker(): Worker {
  return new Worker(new URL('./analyze-worker.ts', import.meta.url));
}

/** Workers for this command line, started now; [] when it will read on one thread. */
export function prestartWorkers(inputs: string[], format: string): Worker[] {
  if (inputs.length !== 1) return [];
  let size: number;
  try {
    const st = statSync(inputs[0]);
    if (!st.isFile()) return [];
    size = st.size;
  } catch {
    return [];
  }
  const n = workerCount(size, format);
  if (n < 2) return [];
  const workers = Array.from({ length: n }, startWorker);
  // a worker must never keep the process alive on its own (e.g. when the command fails early)
  for (const w of workers) w.unref();
  return workers;
}
