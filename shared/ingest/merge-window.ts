import { emptyWindow, mergeInto, type WindowAggregate } from '../detect/window.ts';
import { backoffMs, sleep } from './parallel.ts';
import { STORE_EXACT_LIMIT } from './part-collector.ts';
import { type AggregateStore, RetryableStoreError } from './ports.ts';

/** Attempts per window before giving up; the message is then redelivered (markers keep it safe). */
export const MAX_MERGE_ATTEMPTS = 10;

export interface WindowDelta {
  customerId: string;
  sk: string;
  window: WindowAggregate;
  trunkCalls: Record<string, number>;
}

export type MergeOutcome = 'applied' | 'already-applied';

export class MergeGaveUpError extends Error {
  override name = 'MergeGaveUpError';
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Merges one window of one batch part into the store exactly once: read (consistent), merge in
 * memory, then write marker + new version in one transaction. The marker's condition says "not
 * applied before"; the version's says "nobody wrote in between" (else read again and redo).
 */
export async function mergeWindow(
  store: AggregateStore,
  delta: WindowDelta,
  applyId: string,
  /** first back-off step after throttling, doubled per attempt (full jitter, capped at 2 s) */
  retryBaseMs = 25,
): Promise<{ outcome: MergeOutcome; attempts: number }> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
    try {
      const current = await store.read(delta.customerId, delta.sk);
      const base =
        current?.window ??
        emptyWindow(delta.window.customerId, delta.window.trunkId, delta.window.hourMs, STORE_EXACT_LIMIT);
      const outcome = await store.commit({
        customerId: delta.customerId,
        sk: delta.sk,
        applyId,
        expectedVersion: current?.version ?? 0,
        // `base` is a fresh copy from the store, so merging into it never touches the delta
        next: {
          window: mergeInto(base, delta.window),
          trunkCalls: addCounts(current?.trunkCalls ?? {}, delta.trunkCalls),
        },
      });
      if (outcome === 'committed') return { outcome: 'applied', attempts: attempt + 1 };
      if (outcome === 'already-applied') return { outcome: 'already-applied', attempts: attempt + 1 };
      lastError = new Error('version changed between read and write');
      await sleep(backoffMs(attempt, 5, 200));
    } catch (error) {
      if (!(error instanceof RetryableStoreError)) throw error;
      lastError = error;
      await sleep(backoffMs(attempt, retryBaseMs));
    }
  }
  throw new MergeGaveUpError(
    `window ${delta.sk} of customer ${delta.customerId}: gave up after ${MAX_MERGE_ATTEMPTS} attempts (${String((lastError as Error)?.message ?? lastError)})`,
  );
}
