import { describe, expect, it } from 'vitest';
import { emptyWindow, windowToJson } from '../../shared/detect/window.ts';
import { windowSk } from '../../shared/ingest/keys.ts';
import { MemoryAggregateStore } from '../../shared/ingest/memory-aggregate-store.ts';
import {
  estimateCommitBytes,
  MAX_MERGE_ATTEMPTS,
  MergeGaveUpError,
  mergeWindow,
  mergeWindows,
  packGroups,
  type WindowDelta,
} from '../../shared/ingest/merge-window.ts';
import { STORE_EXACT_LIMIT } from '../../shared/ingest/part-collector.ts';
import {
  type AggregateStore,
  type CommitOutcome,
  type CommitRequest,
  RetryableStoreError,
  type StoredWindow,
  type WindowKey,
} from '../../shared/ingest/ports.ts';

const HOUR = Date.UTC(2026, 10, 27, 16);
const FAST = { retryBaseMs: 0 };

/** `count` windows (customer-hours of customers C0..), each with `calls` calls from distinct numbers */
function deltas(count: number, calls: number, firstNumber = 0): WindowDelta[] {
  return Array.from({ length: count }, (_, i) => {
    const customerId = `C${i}`;
    const window = emptyWindow(customerId, '', HOUR, STORE_EXACT_LIMIT);
    window.attempts = calls;
    window.answered = Math.floor(calls / 2);
    window.firstMs = HOUR + 1000;
    window.lastMs = HOUR + 2000;
    for (let n = 0; n < calls; n++) window.calling.add(2025550000 + firstNumber + n);
    return { customerId, sk: windowSk('', HOUR), window, trunkCalls: { T1: calls } };
  });
}

async function totals(store: AggregateStore, count: number) {
  const out: Array<{ attempts: number; distinct: number; trunk: number; version: number }> = [];
  for (let i = 0; i < count; i++) {
    const w = await store.read(`C${i}`, windowSk('', HOUR));
    out.push({
      attempts: w?.window.attempts ?? 0,
      distinct: w?.window.calling.count() ?? 0,
      trunk: w?.trunkCalls.T1 ?? 0,
      version: w?.version ?? 0,
    });
  }
  return out;
}

/**
 * The memory store with a hand on its calls: counts them, lets a test act before a commit (as a
 * competing writer would) or refuse a call the way DynamoDB throttles. The store itself decides
 * every outcome.
 */
class WatchedStore implements AggregateStore {
  readonly inner = new MemoryAggregateStore();
  readonly readBatches: string[][] = [];
  readonly commitBatches: number[] = [];
  beforeCommit: ((requests: CommitRequest[]) => Promise<void>) | null = null;
  refuse: ((call: 'read' | 'commit') => boolean) | null = null;

  read(customerId: string, sk: string) {
    return this.inner.read(customerId, sk);
  }
  async readMany(keys: WindowKey[]): Promise<Array<StoredWindow | null>> {
    if (this.refuse?.('read')) throw new RetryableStoreError('read: ThrottlingException (test)');
    this.readBatches.push(keys.map((k) => k.customerId));
    return this.inner.readMany(keys);
  }
  async commitMany(requests: CommitRequest[]): Promise<CommitOutcome[]> {
    if (this.refuse?.('commit')) throw new RetryableStoreError('merge: ThrottlingException (test)');
    await this.beforeCommit?.(requests);
    this.commitBatches.push(requests.length);
    return this.inner.commitMany(requests);
  }
  customerHours(customerId: string, fromMs: number, toMs: number) {
    return this.inner.customerHours(customerId, fromMs, toMs);
  }
  claimSeverity(...args: Parameters<AggregateStore['claimSeverity']>) {
    return this.inner.claimSeverity(...args);
  }
  confirmSeverity(...args: Parameters<AggregateStore['confirmSeverity']>) {
    return this.inner.confirmSeverity(...args);
  }
  releaseAllClaims() {
    return this.inner.releaseAllClaims();
  }
  releaseSeverity(...args: Parameters<AggregateStore['releaseSeverity']>) {
    return this.inner.releaseSeverity(...args);
  }
  markDaysTouched(...args: Parameters<AggregateStore['markDaysTouched']>) {
    return this.inner.markDaysTouched(...args);
  }
  touchedDays() {
    return this.inner.touchedDays();
  }
  touchedCustomers(dayMs: number) {
    return this.inner.touchedCustomers(dayMs);
  }
  clearTouched(...args: Parameters<AggregateStore['clearTouched']>) {
    return this.inner.clearTouched(...args);
  }
}

describe('mergeWindows (batched exactly-once merges)', () => {
  it('reads 100 keys per request and commits 50 windows per transaction', async () => {
    const store = new WatchedStore();
    const r = await mergeWindows(store, deltas(230, 3), 'batch-1', FAST);
    expect(r).toEqual({ applied: 230, alreadyApplied: 0, attempts: 230 });
    expect(store.readBatches.map((b) => b.length)).toEqual([100, 100, 30]);
    expect(store.commitBatches).toEqual([50, 50, 50, 50, 30]);
    expect(store.inner.commits).toBe(230);
    expect(new Set((await totals(store, 230)).map((t) => JSON.stringify(t)))).toEqual(
      new Set([JSON.stringify({ attempts: 3, distinct: 3, trunk: 3, version: 1 })]),
    );
  });

  it('keeps each transaction under the byte budget: big windows go in smaller groups', async () => {
    const store = new WatchedStore();
    const big = deltas(12, 2000);
    const perWindow = Math.max(
      ...big.map((d) =>
        estimateCommitBytes({
          customerId: d.customerId,
          sk: d.sk,
          applyId: 'batch-1',
          expectedVersion: 0,
          next: d,
        }),
      ),
    );
    // room for 3 windows of this size per transaction
    const r = await mergeWindows(store, big, 'batch-1', { ...FAST, bytesPerCommit: perWindow * 3 + 10 });
    expect(r.applied).toBe(12);
    expect(store.commitBatches).toEqual([3, 3, 3, 3]);
  });

  it('two batches merging the same windows at the same time converge to the sum', async () => {
    const store = new WatchedStore();
    const options = { ...FAST, windowsPerCommit: 4, parallel: 2 };
    const [a, b] = await Promise.all([
      mergeWindows(store, deltas(20, 5, 0), 'batch-a', options),
      mergeWindows(store, deltas(20, 7, 1000), 'batch-b', options),
    ]);
    expect(a.applied).toBe(20);
    expect(b.applied).toBe(20);
    // they did race: some transactions lost to the other batch and were merged again
    expect(a.attempts + b.attempts).toBeGreaterThan(40);
    for (const t of await totals(store, 20))
      expect(t).toEqual({ attempts: 12, distinct: 12, trunk: 12, version: 2 });
  });

  it('a redelivered batch merges nothing twice', async () => {
    const store = new WatchedStore();
    await mergeWindows(store, deltas(60, 4), 'batch-1', FAST);
    const before = await totals(store, 60);
    const again = await mergeWindows(store, deltas(60, 4), 'batch-1', FAST);
    expect(again).toEqual({ applied: 0, alreadyApplied: 60, attempts: 60 });
    expect(await totals(store, 60)).toEqual(before);
    expect(store.inner.commits).toBe(60);
  });

  it('a group where one marker exists drops just that window and commits the rest', async () => {
    const store = new WatchedStore();
    const all = deltas(10, 4);
    // window C3 of this batch was merged before (an earlier delivery that died after it)
    await mergeWindows(store, [all[3]], 'batch-1', FAST);
    store.commitBatches.length = 0;
    const r = await mergeWindows(store, deltas(10, 4), 'batch-1', FAST);
    expect(r).toEqual({ applied: 9, alreadyApplied: 1, attempts: 10 });
    // the cancelled transaction (10 windows, nothing written), then the 9 others again
    expect(store.commitBatches).toEqual([10, 9]);
    expect((await totals(store, 10)).map((t) => t.attempts)).toEqual(Array(10).fill(4));
  });

  it('a version conflict on one window re-reads only that window', async () => {
    const store = new WatchedStore();
    await mergeWindows(store, deltas(10, 1), 'seed', FAST);
    store.readBatches.length = 0;
    let raced = false;
    store.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      // another batch merges into C6 between our read and our transaction
      await mergeWindows(store.inner, [deltas(10, 2, 500)[6]], 'other', FAST);
    };
    const r = await mergeWindows(store, deltas(10, 3, 100), 'batch-1', FAST);
    expect(r).toEqual({ applied: 10, alreadyApplied: 0, attempts: 11 });
    expect(store.readBatches).toEqual([['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9'], ['C6']]);
    const t = await totals(store, 10);
    expect(t[6]).toEqual({ attempts: 1 + 2 + 3, distinct: 6, trunk: 6, version: 3 });
    expect(t[5]).toEqual({ attempts: 1 + 3, distinct: 4, trunk: 4, version: 2 });
  });

  it('throttled reads and transactions are retried; every window counts the tries it was charged', async () => {
    const store = new WatchedStore();
    let calls = 0;
    store.refuse = () => ++calls <= 3; // read refused, then twice the transaction
    const r = await mergeWindows(store, deltas(8, 2), 'batch-1', FAST);
    expect(r).toEqual({ applied: 8, alreadyApplied: 0, attempts: 8 * 4 });
    expect((await totals(store, 8)).map((t) => t.attempts)).toEqual(Array(8).fill(2));
  });

  it('gives up after MAX_MERGE_ATTEMPTS and leaves every transaction whole', async () => {
    const store = new WatchedStore();
    let commits = 0;
    // the first of two transactions goes through, the second is throttled for ever
    store.refuse = (call) => call === 'commit' && ++commits > 1;
    const error = await mergeWindows(store, deltas(60, 2), 'batch-1', FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MergeGaveUpError);
    expect(String((error as Error).message)).toMatch(
      new RegExp(`gave up after ${MAX_MERGE_ATTEMPTS} attempts .*ThrottlingException.*10 of 60 windows`),
    );
    expect(store.inner.commits).toBe(50);
    // the redelivery finishes it: the first 50 are skipped by their markers
    store.refuse = null;
    const again = await mergeWindows(store, deltas(60, 2), 'batch-1', FAST);
    expect(again).toMatchObject({ applied: 10, alreadyApplied: 50 });
    expect((await totals(store, 60)).every((t) => t.attempts === 2)).toBe(true);
  });

  it('refuses the same window twice in one merge (DynamoDB would refuse the transaction)', async () => {
    const d = deltas(2, 1);
    await expect(mergeWindows(new MemoryAggregateStore(), [d[0], d[1], d[0]], 'b', FAST)).rejects.toThrow(
      /window H#2026-11-27T16:00:00Z of customer C0 appears twice/,
    );
  });

  it('mergeWindow (one window) keeps its old answers', async () => {
    const store = new MemoryAggregateStore();
    const [d] = deltas(1, 2);
    expect(await mergeWindow(store, d, 'b1')).toEqual({ outcome: 'applied', attempts: 1 });
    expect(await mergeWindow(store, d, 'b1')).toEqual({ outcome: 'already-applied', attempts: 1 });
  });
});

describe('packGroups and estimateCommitBytes', () => {
  it('cuts on count and on bytes, and lets a lone oversized item through alone', () => {
    const sizes = [5, 5, 5, 20, 1, 1, 1, 1];
    const groups = packGroups(sizes, (n) => n, 3, 12);
    expect(groups).toEqual([[5, 5], [5], [20], [1, 1, 1], [1]]);
  });

  it('estimates at least the bytes DynamoDB counts for the window JSON and keys', () => {
    const [d] = deltas(1, 2000);
    const request = {
      customerId: d.customerId,
      sk: d.sk,
      applyId: 'bucket/cdr/s/x.csv#v1',
      expectedVersion: 3,
      next: d,
    };
    const json = JSON.stringify(windowToJson(d.window)).length;
    const bytes = estimateCommitBytes(request);
    expect(bytes).toBeGreaterThan(json + 2 * d.sk.length);
    expect(bytes).toBeLessThan(json + 1000);
  });
});

describe('MemoryAggregateStore batches (DynamoDB rules)', () => {
  const request = (d: WindowDelta, applyId: string, expectedVersion = 0): CommitRequest => ({
    customerId: d.customerId,
    sk: d.sk,
    applyId,
    expectedVersion,
    next: { window: d.window, trunkCalls: d.trunkCalls },
  });

  it('is all or nothing and gives one reason per window', async () => {
    const store = new MemoryAggregateStore();
    const d = deltas(4, 1);
    expect(await store.commitMany([request(d[0], 'x'), request(d[1], 'x')])).toEqual([
      'committed',
      'committed',
    ]);
    const outcomes = await store.commitMany([
      request(d[0], 'x', 1), // marker exists
      request(d[1], 'y', 0), // version is 1 now
      request(d[2], 'y', 0), // fine, but the transaction is cancelled
      request(d[3], 'y', 0),
    ]);
    expect(outcomes).toEqual(['already-applied', 'version-conflict', 'cancelled', 'cancelled']);
    expect(await store.read('C2', d[2].sk)).toBeNull();
    expect(store.commits).toBe(2);
  });

  it('refuses more than 50 windows, more than 100 keys, duplicates and transactions over 4 MB', async () => {
    const store = new MemoryAggregateStore();
    const many = deltas(101, 1);
    await expect(store.commitMany(many.slice(0, 51).map((d) => request(d, 'x')))).rejects.toThrow(
      /at most 50/,
    );
    await expect(store.readMany(many)).rejects.toThrow(/at most 100/);
    await expect(store.readMany([many[0], many[0]])).rejects.toThrow(/same key twice/);
    await expect(store.commitMany([request(many[0], 'x'), request(many[0], 'y')])).rejects.toThrow(
      /same window twice/,
    );
    // a full window is ~66 KB of JSON (three counters at their limit), so only a huge trunk list
    // beside it can push 50 windows past 4 MB
    const huge = deltas(50, STORE_EXACT_LIMIT);
    for (const d of huge) for (let t = 0; t < 5000; t++) d.trunkCalls[`trunk-${t}`] = t;
    await expect(store.commitMany(huge.map((d) => request(d, 'x')))).rejects.toThrow(/bytes of items/);
    expect(store.commits).toBe(0);
  });
});
