import type { AuditRecord } from './record.ts';

/**
 * Where a stream ends, as written with its last record. A chain's hashes prove what is in it, not
 * that nothing was cut off its end; the head, moved in the same write as each record, does.
 */
export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * Where audit records live. Append-only by construction: there is no update or delete, and `append`
 * writes a record and moves its stream's head to it in one step, only if the head is still where the
 * writer read it (the DynamoDB adapter uses one transaction with conditions on both items, so two
 * writers racing for the same slot cannot both win).
 */
export interface AuditStore {
  /** the record with the highest sequence number in the stream, or null for an empty stream */
  last(stream: string): Promise<AuditRecord | null>;
  /**
   * Writes `record` and moves the stream's head to it, when the head is still `after` (null: the
   * stream has no head yet, being new or written before heads); false when it is not (another record
   * took the place, or records were cut off the end, which `audit verify` names).
   */
  append(record: AuditRecord, after: AuditHead | null): Promise<boolean>;
  /** the stream's head, or null when it has none (empty, or written before heads were kept) */
  head(stream: string): Promise<AuditHead | null>;
  /**
   * every record of the stream, in sequence order (raw, so verification sees tampered content as
   * stored); with `afterSeq`, only those numbered past it (a stream's tail, read again)
   */
  list(stream: string, afterSeq?: number): Promise<unknown[]>;
  streams(): Promise<string[]>;
}
