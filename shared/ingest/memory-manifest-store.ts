import { contentKey } from './keys.ts';
import type { BatchIdentity, HourSpan, ManifestBatch, ManifestStore, PartCut, PartStats } from './ports.ts';

export interface MemoryManifestItem extends ManifestBatch {
  identity: BatchIdentity;
  totals: (PartStats & { format: string }) | null;
}

/** ManifestStore in Maps: one item per batch, one HOUR index entry per (hour, batch). */
export class MemoryManifestStore implements ManifestStore {
  readonly batches = new Map<string, MemoryManifestItem>();
  /** `yyyy-mm-ddThh` -> `<switch>#<batchId>` -> span */
  readonly hours = new Map<string, Map<string, HourSpan>>();

  async get(batchId: string): Promise<ManifestBatch | null> {
    const item = this.batches.get(batchId);
    return item
      ? structuredClone({ batchId, status: item.status, parts: item.parts, checkpoint: item.checkpoint })
      : null;
  }

  async begin(batch: BatchIdentity): Promise<void> {
    if (this.batches.has(batch.batchId)) return;
    this.batches.set(batch.batchId, {
      batchId: batch.batchId,
      identity: batch,
      status: 'processing',
      parts: {},
      checkpoint: null,
      totals: null,
    });
  }

  /** content (ETag and size) -> the batch that holds it */
  readonly contents = new Map<string, string>();

  async claimContent(batch: BatchIdentity): Promise<string> {
    const key = contentKey(batch);
    const holder = this.contents.get(key);
    if (holder !== undefined) return holder;
    this.contents.set(key, batch.batchId);
    return batch.batchId;
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
    this.must(batchId).checkpoint = { ...next };
  }

  async finish(batchId: string, totals: PartStats & { format: string }): Promise<void> {
    const item = this.must(batchId);
    item.status = 'done';
    item.totals = { ...totals };
  }
}
