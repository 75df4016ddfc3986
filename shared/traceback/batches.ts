import { HOUR_MS, hourStart } from '../cdr/time.ts';
import type { SearchWindow } from './match.ts';

/**
 * One archived batch as the manifest describes it. `name` is what the answer cites as `batch`
 * (the S3 key, or the file path offline); `firstMs`/`lastMs` bound its calls' start times.
 */
export interface BatchRef {
  batchId: string;
  name: string;
  switchId: string;
  firstMs: number;
  lastMs: number;
  bucket?: string;
  versionId?: string;
}

/**
 * The batch manifest as the lookup needs it: the batches whose calls touch one UTC hour (docs/wiring.md:
 * `HOUR#<yyyy-mm-ddThh>` index items). Reading one hour costs one query, whatever the archive holds.
 */
export interface ManifestReader {
  batchesInHour(hourKey: string): Promise<BatchRef[]>;
}

/** `2026-11-27T16` for any instant in that UTC hour. */
export function hourKey(ms: number): string {
  return new Date(hourStart(ms)).toISOString().slice(0, 13);
}

/** Every UTC hour key the window overlaps, in order. */
export function hourKeysFor(window: SearchWindow): string[] {
  const keys: string[] = [];
  for (let h = hourStart(window.fromMs); h <= window.toMs; h += HOUR_MS) keys.push(hourKey(h));
  return keys;
}

/** Whether a batch's time range (and switch, when the request names one) can hold a call in the window. */
export function batchCanHold(batch: BatchRef, window: SearchWindow, switchId: string | null): boolean {
  if (switchId !== null && batch.switchId !== switchId) return false;
  return batch.firstMs <= window.toMs && batch.lastMs >= window.fromMs;
}

/**
 * The candidate batches for a window: only the hour partitions it overlaps are read, a batch spanning
 * several hours is listed once, and batches whose recorded range misses the window are dropped.
 */
export async function selectBatches(
  manifest: ManifestReader,
  window: SearchWindow,
  switchId: string | null,
): Promise<BatchRef[]> {
  const byId = new Map<string, BatchRef>();
  for (const key of hourKeysFor(window)) {
    for (const batch of await manifest.batchesInHour(key)) {
      if (!byId.has(batch.batchId) && batchCanHold(batch, window, switchId)) byId.set(batch.batchId, batch);
    }
  }
  return [...byId.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.batchId.localeCompare(b.batchId),
  );
}
