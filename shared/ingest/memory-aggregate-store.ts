import { type WindowJson, windowFromJson, windowToJson } from '../detect/window.ts';
import { customerPk, isDaySk, markerSk, windowSk } from './keys.ts';
import { STORE_EXACT_LIMIT } from './part-collector.ts';
import {
  type AggregateStore,
  type ClaimOutcome,
  type CommitOutcome,
  type CommitRequest,
  type CustomerDay,
  MAX_KEYS_PER_READ,
  MAX_TRANSACTION_BYTES,
  MAX_WINDOWS_PER_COMMIT,
  type StoredWindow,
  type WindowKey,
} from './ports.ts';

/** where a day's own note is kept among its customers' (no customer id is empty) */
const DAY_NOTE = '';

/** the severity published for a window and the live claim to publish a higher one */
interface Severities {
  sev: number;
  claim: { rank: number; until: number; by: string } | null;
}

interface Item extends Severities {
  window: WindowJson;
  trunkCalls: Record<string, number>;
  version: number;
}

/**
 * AggregateStore in a Map, with the same conditions as the DynamoDB adapter (marker, version,
 * severity claim) and DynamoDB's rules for batches: at most 100 keys per read, at most 100 actions
 * and 4 MB per transaction, no item twice in one call, all-or-nothing with one reason per window.
 * Items are kept as JSON so a reader never shares objects with the store.
 */
export class MemoryAggregateStore implements AggregateStore {
  readonly items = new Map<string, Item>();
  readonly markers = new Set<string>();
  /** day windows' severities (keys.daySk): no aggregate is stored for a day */
  readonly days = new Map<string, Severities>();
  /** windows committed */
  commits = 0;
  /** day -> customer -> token of the latest note (markDaysTouched); a day's own token under '' */
  readonly touched = new Map<number, Map<string, string>>();
  /** commitMany calls (transactions), whatever their outcome */
  transactions = 0;
  /** readMany calls, and the keys they asked for (in order) */
  reads = 0;
  readonly keysRead: WindowKey[] = [];

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

  async readMany(keys: WindowKey[]): Promise<Array<StoredWindow | null>> {
    if (keys.length > MAX_KEYS_PER_READ) {
      throw new RangeError(`readMany: ${keys.length} keys, BatchGetItem takes at most ${MAX_KEYS_PER_READ}`);
    }
    const ids = keys.map((k) => this.id(k.customerId, k.sk));
    if (new Set(ids).size !== ids.length) throw new Error('readMany: the same key twice in one read');
    this.reads++;
    this.keysRead.push(...keys.map((k) => ({ customerId: k.customerId, sk: k.sk })));
    return ids.map((id) => {
      const item = this.items.get(id);
      return item ? this.stored(item) : null;
    });
  }

  async commitMany(requests: CommitRequest[]): Promise<CommitOutcome[]> {
    if (requests.length > MAX_WINDOWS_PER_COMMIT) {
      throw new RangeError(
        `commitMany: ${requests.length} windows, one transaction takes at most ${MAX_WINDOWS_PER_COMMIT}`,
      );
    }
    const keys = requests.map((r) => this.id(r.customerId, r.sk));
    if (new Set(keys).size !== keys.length)
      throw new Error('commitMany: the same window twice in one transaction');
    const next = requests.map((r) => structuredClone(windowToJson(r.next.window)));
    const bytes = next.reduce(
      (sum, w, i) =>
        sum +
        JSON.stringify(w).length +
        JSON.stringify(requests[i].next.trunkCalls).length +
        keys[i].length * 2,
      0,
    );
    if (bytes > MAX_TRANSACTION_BYTES) {
      throw new RangeError(
        `commitMany: ${bytes} bytes of items, one transaction takes at most ${MAX_TRANSACTION_BYTES}`,
      );
    }
    this.transactions++;
    // every condition is checked before anything is written, as DynamoDB does
    const outcomes = requests.map((r, i): CommitOutcome => {
      if (this.markers.has(this.id(r.customerId, markerSk(r.applyId, r.sk)))) return 'already-applied';
      if ((this.items.get(keys[i])?.version ?? 0) !== r.expectedVersion) return 'version-conflict';
      return 'cancelled';
    });
    if (outcomes.some((o) => o !== 'cancelled')) return outcomes;
    requests.forEach((r, i) => {
      const item = this.items.get(keys[i]);
      this.markers.add(this.id(r.customerId, markerSk(r.applyId, r.sk)));
      this.items.set(keys[i], {
        window: next[i],
        trunkCalls: { ...r.next.trunkCalls },
        version: r.expectedVersion + 1,
        sev: item?.sev ?? 0,
        claim: item?.claim ?? null,
      });
    });
    this.commits += requests.length;
    return requests.map(() => 'committed');
  }

  async customerHours(customerId: string, fromMs: number, toMs: number): Promise<StoredWindow[]> {
    const out: StoredWindow[] = [];
    for (const [key, item] of this.items) {
      if (!key.startsWith(`${customerPk(customerId)}|H#`)) continue;
      if (item.window.hourMs >= fromMs && item.window.hourMs <= toMs) out.push(this.stored(item));
    }
    return out.sort((a, b) => a.window.hourMs - b.window.hourMs);
  }

  /** Where a window's published severity and claim are: its stored item, or a day's own record. */
  private severities(customerId: string, sk: string): Severities | undefined {
    return isDaySk(sk) ? this.days.get(this.id(customerId, sk)) : this.items.get(this.id(customerId, sk));
  }

  /** severities(), a day's record made by its first claim as DynamoDB's update makes its item */
  private claimable(customerId: string, sk: string): Severities | undefined {
    const found = this.severities(customerId, sk);
    if (found || !isDaySk(sk)) return found;
    const made: Severities = { sev: 0, claim: null };
    this.days.set(this.id(customerId, sk), made);
    return made;
  }

  async claimSeverity(
    customerId: string,
    sk: string,
    rank: number,
    claimant: string,
    untilMs: number,
    nowMs: number,
  ): Promise<ClaimOutcome> {
    const item = this.claimable(customerId, sk);
    if (!item) throw new Error(`no window ${sk} of ${customerId} to claim a severity for`);
    if (item.sev >= rank) return 'published';
    const c = item.claim;
    if (c && c.until >= nowMs && c.by !== claimant && c.rank >= rank) return 'busy';
    item.claim = { rank, until: untilMs, by: claimant };
    return 'claimed';
  }

  async confirmSeverity(customerId: string, sk: string, rank: number, claimant: string): Promise<void> {
    const item = this.severities(customerId, sk);
    if (!item || item.sev >= rank) return;
    item.sev = rank;
    if (item.claim?.by === claimant) item.claim = null;
  }

  async releaseSeverity(customerId: string, sk: string, claimant: string): Promise<void> {
    const item = this.severities(customerId, sk);
    if (item?.claim?.by === claimant) item.claim = null;
  }

  async releaseAllClaims(): Promise<number> {
    let released = 0;
    for (const item of [...this.items.values(), ...this.days.values()]) {
      if (item.claim === null) continue;
      item.claim = null;
      released++;
    }
    return released;
  }

  async markDaysTouched(days: CustomerDay[], token: string): Promise<void> {
    for (const d of days) this.noted(d.dayMs).set(d.customerId, token);
    for (const dayMs of new Set(days.map((d) => d.dayMs))) this.noted(dayMs).set(DAY_NOTE, token);
  }

  private noted(dayMs: number): Map<string, string> {
    let notes = this.touched.get(dayMs);
    if (!notes) {
      notes = new Map();
      this.touched.set(dayMs, notes);
    }
    return notes;
  }

  async touchedDays(): Promise<Array<{ dayMs: number; token: string }>> {
    return [...this.touched]
      .filter(([, notes]) => notes.has(DAY_NOTE))
      .map(([dayMs, notes]) => ({ dayMs, token: notes.get(DAY_NOTE) as string }))
      .sort((a, b) => a.dayMs - b.dayMs);
  }

  async touchedCustomers(dayMs: number): Promise<Array<{ customerId: string; token: string }>> {
    return [...(this.touched.get(dayMs) ?? [])]
      .filter(([customerId]) => customerId !== DAY_NOTE)
      .map(([customerId, token]) => ({ customerId, token }));
  }

  async clearTouched(dayMs: number, customerId: string | null, token: string): Promise<boolean> {
    const notes = this.touched.get(dayMs);
    const key = customerId ?? DAY_NOTE;
    if (notes?.get(key) !== token) return false;
    notes.delete(key);
    if (notes.size === 0) this.touched.delete(dayMs);
    return true;
  }

  /** test helper: the stored customer-hour window */
  async hour(customerId: string, hourMs: number): Promise<StoredWindow | null> {
    return this.read(customerId, windowSk('', hourMs));
  }
}
