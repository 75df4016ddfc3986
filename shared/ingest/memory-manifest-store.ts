import { HOUR_MS } from '../cdr/time.ts';
import { countedNoCall } from './counted-no-call.ts';
import { contentKey, manifestHour } from './keys.ts';
import {
  type BatchIdentity,
  type BatchTotals,
  earlierRowsOf,
  type HourSpan,
  type KeyClaim,
  type KeyCounted,
  type KeyFinish,
  type ManifestBatch,
  type ManifestStore,
  type PartCut,
  type UnfinishedBatch,
} from './ports.ts';

export interface MemoryManifestItem extends Omit<ManifestBatch, 'totals'> {
  identity: BatchIdentity;
  startedMs: number;
  totals: BatchTotals | null;
}

/** One object key's item: its latest counted version, and the batch counting a newer one now. */
export interface MemoryKeyItem {
  counted: KeyCounted | null;
  claim: { batchId: string; base: KeyCounted | null } | null;
}

/** ManifestStore in Maps: one item per batch, one HOUR index entry per (hour, batch), one BEGUN entry per batch. */
export class MemoryManifestStore implements ManifestStore {
  readonly batches = new Map<string, MemoryManifestItem>();
  /** `yyyy-mm-ddThh` -> `<switch>#<batchId>` -> span */
  readonly hours = new Map<string, Map<string, HourSpan>>();
  /** `yyyy-mm-ddThh` of the batch's begin -> its batch ids */
  readonly begun = new Map<string, Set<string>>();
  readonly #now: () => number;

  /** `now`: when a batch begins (the ingest clock in tests) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(batchId: string): Promise<ManifestBatch | null> {
    const item = this.batches.get(batchId);
    if (!item) return null;
    const batch: ManifestBatch = {
      batchId,
      status: item.status,
      parts: item.parts,
      checkpoint: item.checkpoint,
      failure: item.failure,
      totals: item.totals && {
        rows: item.totals.rows,
        calls: item.totals.calls,
        quarantined: item.totals.quarantined,
        ...earlierRowsOf(item.totals),
        ...(item.totals.repeated === undefined ? {} : { repeated: item.totals.repeated }),
      },
    };
    if (item.totals?.refused !== undefined) batch.refused = item.totals.refused;
    if (item.totals?.repeatOf !== undefined) batch.repeatOf = item.totals.repeatOf;
    return structuredClone(batch);
  }

  async begin(batch: BatchIdentity): Promise<void> {
    if (this.batches.has(batch.batchId)) return;
    const startedMs = this.#now();
    const hour = manifestHour(startedMs);
    this.begun.set(hour, (this.begun.get(hour) ?? new Set()).add(batch.batchId));
    this.batches.set(batch.batchId, {
      batchId: batch.batchId,
      identity: batch,
      startedMs,
      status: 'processing',
      parts: {},
      checkpoint: null,
      failure: null,
      totals: null,
    });
  }

  async reopen(batchId: string): Promise<boolean> {
    const item = this.batches.get(batchId);
    const batch = await this.get(batchId);
    if (item === undefined || batch === null || !countedNoCall(batch)) return false;
    Object.assign(item, { status: 'processing', parts: {}, checkpoint: null, failure: null, totals: null });
    return true;
  }

  /** content (ETag and size) -> the batch that holds it */
  readonly contents = new Map<string, string>();

  async claimContent(batch: BatchIdentity, content = contentKey(batch)): Promise<string> {
    const key = content;
    const holder = this.contents.get(key);
    if (holder !== undefined) return holder;
    this.contents.set(key, batch.batchId);
    return batch.batchId;
  }

  async releaseContent(batch: BatchIdentity, content = contentKey(batch)): Promise<void> {
    if (this.contents.get(content) === batch.batchId) this.contents.delete(content);
  }

  private must(batchId: string): MemoryManifestItem {
    const item = this.batches.get(batchId);
    if (!item) throw new Error(`manifest: no batch item ${batchId}`);
    return item;
  }

  async recordPart(batchId: string, part: number, cut: PartCut): Promise<PartCut> {
    const item = this.must(batchId);
    item.parts[String(part)] ??= structuredClone(cut);
    return structuredClone(item.parts[String(part)]);
  }

  async recordHours(batch: BatchIdentity, hours: HourSpan[]): Promise<void> {
    for (const h of hours) {
      const hour = new Date(h.hourMs).toISOString().slice(0, 13);
      const entries = this.hours.get(hour) ?? new Map<string, HourSpan>();
      const key = `${batch.switchId}#${batch.batchId}`;
      const old = entries.get(key);
      entries.set(
        key,
        old
          ? {
              hourMs: h.hourMs,
              firstMs: Math.min(old.firstMs, h.firstMs),
              lastMs: Math.max(old.lastMs, h.lastMs),
            }
          : h,
      );
      this.hours.set(hour, entries);
    }
  }

  async checkpoint(batchId: string, next: { part: number; skipRows: number }): Promise<void> {
    const item = this.must(batchId);
    item.checkpoint = { ...next };
    item.failure = null;
  }

  /** `<bucket>/<key>` -> the key's item */
  readonly keys = new Map<string, MemoryKeyItem>();

  async claimKey(batch: BatchIdentity): Promise<KeyClaim> {
    const name = `${batch.bucket}/${batch.key}`;
    const item = this.keys.get(name) ?? { counted: null, claim: null };
    this.keys.set(name, item);
    if (item.claim === null) item.claim = { batchId: batch.batchId, base: structuredClone(item.counted) };
    if (item.claim.batchId !== batch.batchId) return { heldBy: item.claim.batchId };
    return { base: structuredClone(item.claim.base) };
  }

  async releaseKey(batch: BatchIdentity): Promise<void> {
    const item = this.keys.get(`${batch.bucket}/${batch.key}`);
    if (item?.claim?.batchId === batch.batchId) item.claim = null;
  }

  async finish(batchId: string, totals: BatchTotals, key?: KeyFinish): Promise<void> {
    const item = this.must(batchId);
    if (key) {
      // checked before anything changes: the batch and its key are written together or not at all
      const k = this.keys.get(`${key.bucket}/${key.key}`);
      const mine = k?.claim?.batchId === batchId;
      const written = k?.counted?.batchId === batchId;
      if (!mine && !written && !(key.counted === null && k?.claim === null))
        throw new Error(`manifest: ${batchId} does not hold its key ${key.key}; not finished`);
      if (k && mine) {
        if (key.counted) k.counted = structuredClone(key.counted);
        k.claim = null;
      }
    }
    item.status = 'done';
    item.failure = null;
    item.totals = { ...totals };
  }

  async fail(batchId: string, reason: string): Promise<void> {
    // as the table's conditional update: a batch never begun, or done, is left as it is
    const item = this.batches.get(batchId);
    if (item !== undefined && item.status !== 'done') item.failure = reason;
  }

  async unfinishedBegun(fromMs: number, toMs: number): Promise<UnfinishedBatch[]> {
    const unfinished: UnfinishedBatch[] = [];
    for (let h = Math.floor(fromMs / HOUR_MS) * HOUR_MS; h <= toMs; h += HOUR_MS) {
      for (const batchId of this.begun.get(manifestHour(h)) ?? []) {
        const item = this.must(batchId);
        if (item.status === 'done') continue;
        const { startedMs, failure } = item;
        unfinished.push({ batchId, startedMs, parts: structuredClone(item.parts), failure });
      }
    }
    return unfinished;
  }
}
