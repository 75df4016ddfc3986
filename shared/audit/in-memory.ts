import type { AuditStore } from './ports.ts';
import type { AuditRecord } from './record.ts';

/**
 * An AuditStore held in memory, with the same append-only contract as the DynamoDB one. Used by
 * `traceguard` offline runs and by tests; `records` is exposed so a test can tamper with one.
 */
export class InMemoryAuditStore implements AuditStore {
  readonly records = new Map<string, Map<number, AuditRecord>>();

  async last(stream: string): Promise<AuditRecord | null> {
    const chain = this.records.get(stream);
    if (!chain || chain.size === 0) return null;
    return structuredClone(chain.get(Math.max(...chain.keys())) ?? null);
  }

  async putIfAbsent(record: AuditRecord): Promise<boolean> {
    const chain = this.records.get(record.stream) ?? new Map<number, AuditRecord>();
    this.records.set(record.stream, chain);
    if (chain.has(record.seq)) return false;
    chain.set(record.seq, structuredClone(record));
    return true;
  }

  async list(stream: string): Promise<unknown[]> {
    const chain = this.records.get(stream) ?? new Map();
    return [...chain.values()].sort((a, b) => a.seq - b.seq).map((r) => structuredClone(r));
  }

  async streams(): Promise<string[]> {
    return [...this.records.keys()].sort();
  }
}
