import type { AuditHead, AuditStore } from './ports.ts';
import type { AuditRecord } from './record.ts';

/**
 * An AuditStore held in memory, with the same append-only contract as the DynamoDB one. Used by
 * `traceguard` offline runs and by tests; `records` and `heads` are exposed so a test can tamper.
 */
export class InMemoryAuditStore implements AuditStore {
  readonly records = new Map<string, Map<number, AuditRecord>>();
  readonly heads = new Map<string, AuditHead>();

  async last(stream: string): Promise<AuditRecord | null> {
    const chain = this.records.get(stream);
    if (!chain || chain.size === 0) return null;
    return structuredClone(chain.get(Math.max(...chain.keys())) ?? null);
  }

  async append(record: AuditRecord, after: AuditHead | null): Promise<boolean> {
    const chain = this.records.get(record.stream) ?? new Map<number, AuditRecord>();
    this.records.set(record.stream, chain);
    const head = this.heads.get(record.stream) ?? null;
    const headAsRead = after ? head?.seq === after.seq && head.hash === after.hash : head === null;
    if (chain.has(record.seq) || !headAsRead) return false;
    chain.set(record.seq, structuredClone(record));
    this.heads.set(record.stream, { seq: record.seq, hash: record.hash });
    return true;
  }

  async head(stream: string): Promise<AuditHead | null> {
    return structuredClone(this.heads.get(stream) ?? null);
  }

  async list(stream: string, afterSeq?: number): Promise<unknown[]> {
    const chain = this.records.get(stream) ?? new Map();
    return [...chain.values()]
      .filter((r) => afterSeq === undefined || r.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => structuredClone(r));
  }

  async streams(): Promise<string[]> {
    return [...this.records.keys()].sort();
  }
}
