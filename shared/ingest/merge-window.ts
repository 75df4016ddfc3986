import { emptyWindow, mergeInto, type WindowAggregate, windowToJson } from '../detect/window.ts';
import { customerPk, markerSk } from './keys.ts';
import { backoffMs, forEachLimited, sleep } from './parallel.ts';
import { STORE_EXACT_LIMIT } from './part-collector.ts';
import {
  type AggregateStore,
  type CommitOutcome,
  type CommitRequest,
  MAX_KEYS_PER_READ,
  MAX_WINDOWS_PER_COMMIT,
  RetryableStoreError,
  type StoredWindow,
} from './ports.ts';

/** Attempts per window before giving up; the message is then redelivered (markers keep it safe). */
export const MAX_MERGE_ATTEMPTS = 10;
/**
 * Estimated bytes per transaction. DynamoDB allows 4 MB; our estimate of an item is close but not
 * exact (attribute names, number encoding), so a quarter stays free. One window item is at most 400 KB.
 */
export const COMMIT_BYTES_BUDGET = 3 * 1024 * 1024;

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

export interface MergeOptions {
  /** reads or transactions in flight at the same time */
  parallel: number;
  /** first back-off step after throttling, doubled per attempt (full jitter, capped at 2 s) */
  retryBaseMs: number;
  /** windows per transaction (each is a marker Put plus a versioned Update) */
  windowsPerCommit: number;
  /** estimated item bytes per transaction */
  bytesPerCommit: number;
}

export const DEFAULT_MERGE_OPTIONS: MergeOptions = {
  parallel: 8,
  retryBaseMs: 25,
  windowsPerCommit: MAX_WINDOWS_PER_COMMIT,
  bytesPerCommit: COMMIT_BYTES_BUDGET,
};

export interface MergeSummary {
  applied: number;
  alreadyApplied: number;
  /** tries summed over windows; a window cancelled only for another window's reason is not charged */
  attempts: number;
}

/** One window on its way into the store. */
interface Pending {
  delta: WindowDelta;
  attempts: number;
  /** marker + next version from the last read; null = (re-)read before the next transaction */
  request: CommitRequest | null;
  bytes: number;
  outcome: MergeOutcome | null;
  lastError: string;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Bytes the two items of one window's merge take in a transaction, as DynamoDB counts them (names
 * plus values): the window JSON dominates; keys, marker and the small attributes are added with slack.
 */
export function estimateCommitBytes(request: CommitRequest): number {
  const pk = utf8Bytes(customerPk(request.customerId));
  const marker = 2 + pk + 2 + utf8Bytes(markerSk(request.applyId, request.sk)) + 64;
  const window =
    2 +
    pk +
    2 +
    utf8Bytes(request.sk) +
    1 +
    utf8Bytes(JSON.stringify(windowToJson(request.next.window))) +
    2 +
    utf8Bytes(JSON.stringify(request.next.trunkCalls)) +
    160;
  return marker + window;
}

/** Consecutive runs of at most `windows` windows and `bytes` estimated bytes (a lone big window still goes). */
export function packGroups<T>(
  items: T[],
  sizeOf: (item: T) => number,
  windows: number,
  bytes: number,
): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let groupBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (group.length > 0 && (group.length >= windows || groupBytes + size > bytes)) {
      groups.push(group);
      group = [];
      groupBytes = 0;
    }
    group.push(item);
    groupBytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The delta merged into a fresh copy of what the store holds (never into the delta itself). */
function requestOf(delta: WindowDelta, current: StoredWindow | null, applyId: string): CommitRequest {
  const base =
    current?.window ??
    emptyWindow(delta.window.customerId, delta.window.trunkId, delta.window.hourMs, STORE_EXACT_LIMIT);
  return {
    customerId: delta.customerId,
    sk: delta.sk,
    applyId,
    expectedVersion: current?.version ?? 0,
    next: {
      window: mergeInto(base, delta.window),
      trunkCalls: addCounts(current?.trunkCalls ?? {}, delta.trunkCalls),
    },
  };
}

const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

/**
 * Merges the windows of one batch part into the store, each exactly once, in rounds:
 * 1. read every window that needs it (BatchGetItem, consistent, 100 keys per request);
 * 2. merge in memory and commit in transactions of up to 50 windows and ~3 MB, each window as
 *    marker Put (condition: not applied before) + Update (condition: version unchanged);
 * 3. a cancelled transaction wrote nothing; per window: marker failed -> already applied, drop it;
 *    version failed -> re-read just that window; busy or throttled -> back off; cancelled only
 *    because of others -> the same request again. Whole requests throttled -> back off, retry.
 * A window charged MAX_MERGE_ATTEMPTS times gives up: the message is redelivered, markers keep it safe.
 */
export async function mergeWindows(
  store: AggregateStore,
  deltas: WindowDelta[],
  applyId: string,
  options: { [K in keyof MergeOptions]?: MergeOptions[K] | undefined } = {},
): Promise<MergeSummary> {
  // options left undefined by the caller keep their defaults
  const opt: MergeOptions = { ...DEFAULT_MERGE_OPTIONS };
  for (const [name, value] of Object.entries(options) as Array<[keyof MergeOptions, number | undefined]>) {
    if (value !== undefined) opt[name] = value;
  }
  const seen = new Set<string>();
  for (const d of deltas) {
    const id = `${d.customerId}\u0000${d.sk}`;
    // DynamoDB refuses two actions on one item in a transaction; a part has one delta per window
    if (seen.has(id))
      throw new Error(`window ${d.sk} of customer ${d.customerId} appears twice in one merge`);
    seen.add(id);
  }
  const pending: Pending[] = deltas.map((delta) => ({
    delta,
    attempts: 0,
    request: null,
    bytes: 0,
    outcome: null,
    lastError: '',
  }));
  let open = pending;
  while (open.length > 0) {
    let pause = 0;
    let charged = 0;
    const backOff = (attempt: number, base: number, cap?: number) => {
      charged++;
      pause = Math.max(pause, backoffMs(attempt, base, cap));
    };

    const unread = open.filter((p) => p.request === null);
    await forEachLimited(chunks(unread, MAX_KEYS_PER_READ), opt.parallel, async (chunk) => {
      try {
        const current = await store.readMany(chunk.map((p) => p.delta));
        chunk.forEach((p, i) => {
          p.request = requestOf(p.delta, current[i], applyId);
          p.bytes = estimateCommitBytes(p.request);
        });
      } catch (error) {
        if (!(error instanceof RetryableStoreError)) throw error;
        for (const p of chunk) {
          p.attempts++;
          p.lastError = error.message;
          backOff(p.attempts - 1, opt.retryBaseMs);
        }
      }
    });

    const ready = open.filter((p) => p.request !== null);
    const groups = packGroups(ready, (p) => p.bytes, opt.windowsPerCommit, opt.bytesPerCommit);
    await forEachLimited(groups, opt.parallel, async (group) => {
      let outcomes: CommitOutcome[];
      try {
        outcomes = await store.commitMany(group.map((p) => p.request as CommitRequest));
      } catch (error) {
        if (!(error instanceof RetryableStoreError)) throw error;
        for (const p of group) {
          p.attempts++;
          p.lastError = error.message;
          backOff(p.attempts - 1, opt.retryBaseMs);
        }
        return;
      }
      group.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome === 'cancelled') return;
        p.attempts++;
        if (outcome === 'committed') p.outcome = 'applied';
        else if (outcome === 'already-applied') p.outcome = 'already-applied';
        else if (outcome === 'version-conflict') {
          p.request = null;
          p.lastError = 'version changed between read and write';
          backOff(p.attempts - 1, 5, 200);
        } else {
          p.lastError = 'window busy in another transaction or throttled';
          backOff(p.attempts - 1, opt.retryBaseMs);
        }
      });
    });

    const before = open.length;
    open = open.filter((p) => p.outcome === null);
    // every round either finishes windows or charges one; a store that cancels without naming a
    // reason would otherwise spin here for ever
    if (open.length === before && charged === 0) {
      throw new Error(`merge of ${applyId}: the store cancelled ${open.length} windows without a reason`);
    }
    const spent = open.find((p) => p.attempts >= MAX_MERGE_ATTEMPTS);
    if (spent) {
      throw new MergeGaveUpError(
        `window ${spent.delta.sk} of customer ${spent.delta.customerId}: gave up after ${MAX_MERGE_ATTEMPTS} attempts (${messageOf(spent.lastError)}); ${open.length} of ${pending.length} windows of ${applyId} not merged yet`,
      );
    }
    if (open.length > 0 && pause > 0) await sleep(pause);
  }
  let applied = 0;
  let attempts = 0;
  for (const p of pending) {
    attempts += p.attempts;
    if (p.outcome === 'applied') applied++;
  }
  return { applied, alreadyApplied: pending.length - applied, attempts };
}

/**
 * Merges one window exactly once (the single-window form of mergeWindows, same guarantees).
 * Ingest merges a whole part at once with mergeWindows; this stays for callers with one window.
 */
export async function mergeWindow(
  store: AggregateStore,
  delta: WindowDelta,
  applyId: string,
  retryBaseMs = DEFAULT_MERGE_OPTIONS.retryBaseMs,
): Promise<{ outcome: MergeOutcome; attempts: number }> {
  const r = await mergeWindows(store, [delta], applyId, { retryBaseMs });
  return { outcome: r.applied === 1 ? 'applied' : 'already-applied', attempts: r.attempts };
}
