import { type WindowJson, windowFromJson, windowToJson } from '../detect/window.ts';
import { customerPk, markerSk, windowSk } from './keys.ts';
import { STORE_EXACT_LIMIT } from './part-collector.ts';
import type { AggregateStore, ClaimOutcome, CommitOutcome, CommitRequest, StoredWindow } from './ports.ts';

interface Item {
  window: WindowJson;
  trunkCalls: Record<string, number>;
  version: number;
  sev: number;
  claim: { rank: number; until: number; by: string } | null;
}

/**
 * AggregateStore in a Map, with the same conditions as the DynamoDB adapter (marker, version,
 * severity claim). Items are kept as JSON so a reader never shares objects with the store.
 */
export class MemoryAggregateStore implements AggregateStore {
  readonly items = new Map<string, Item>();
  readonly markers = new Set<string>();
  commits = 0;

  private id(customerId: string, sk: string): string {
    return `${customerPk(customerId)}|${sk}`;
  }

  private stored(item: Item): StoredWindow {
    return {
      window: windowFromJson(structuredClone(item.window), STORE_EXACT_LIMIT),
      trunkCalls: { ...item.trunkCalls },
      version: item.version,
      sev: item.sev,
    };
  }

  async read(customerId: string, sk: string): Promise<StoredWindow | null> {
    const item = this.items.get(this.id(customerId, sk));
    return item ? this.stored(item) : null;
  }

  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const marker = this.id(request.customerId, markerSk(request.applyId, request.sk));
    if (this.markers.has(marker)) return 'already-applied';
    const key = this.id(request.customerId, request.sk);
    const item = this.items.get(key);
    if ((item?.version ?? 0) !== request.expectedVersion) return 'version-conflict';
    this.commits++;
    this.markers.add(marker);
    this.items.set(key, {
      window: structuredClone(windowToJson(request.next.window)),
      trunkCalls: { ...request.next.trunkCalls },
      version: request.expectedVersion + 1,
      sev: item?.sev ?? 0,
      claim: item?.claim ?? null,
    });
    return 'committed';
  }

  async customerHours(customerId: string, fromMs: number, toMs: number): Promise<StoredWindow[]> {
    const out: StoredWindow[] = [];
    for (const [key, item] of this.items) {
      if (!key.startsWith(`${customerPk(customerId)}|H#`)) continue;
      if (item.window.hourMs >= fromMs && item.window.hourMs <= toMs) out.push(this.stored(item));
    }
    return out.sort((a, b) => a.window.hourMs - b.window.hourMs);
  }

  async claimSeverity(
    customerId: string,
    sk: string,
    rank: number,
    claimant: string,
    untilMs: number,
    nowMs: number,
  ): Promise<ClaimOutcome> {
    const item = this.items.get(this.id(customerId, sk));
    if (!item) throw new Error(`no window ${sk} of ${customerId} to claim a severity for`);
    if (item.sev >= rank) return 'published';
    const c = item.claim;
    if (c && c.until >= nowMs && c.by !== claimant && c.rank >= rank) return 'busy';
    item.claim = { rank, until: untilMs, by: claimant };
    return 'claimed';
  }

  async confirmSeverity(customerId: string, sk: string, rank: number, claimant: string): Promise<void> {
    const item = this.items.get(this.id(customerId, sk));
    if (!item || item.sev >= rank) return;
    item.sev = rank;
    if (item.claim?.by === claimant) item.claim = null;
  }

  async releaseSeverity(customerId: string, sk: string, claimant: string): Promise<void> {
    const item = this.items.get(this.id(customerId, sk));
    if (item?.claim?.by === claimant) item.claim = null;
  }

  /** test helper: the stored customer-hour window */
  async hour(customerId: string, hourMs: number): Promise<StoredWindow | null> {
    return this.read(customerId, windowSk('', hourMs));
  }
}
