import type { AuditRecord } from './record.ts';

/**
 * Where audit records live. Append-only by construction: there is no update or delete, and
 * `putIfAbsent` refuses to overwrite an existing sequence number (the DynamoDB adapter uses
 * `attribute_not_exists`, so two writers racing for the same slot cannot both win).
 */
export interface AuditStore {
  /** the record with the highest sequence number in the stream, or null for an empty stream */
  last(stream: string): Promise<AuditRecord | null>;
  /** false when the sequence number is already taken */
  putIfAbsent(record: AuditRecord): Promise<boolean>;
  /** every record of the stream, in sequence order (raw, so verification sees tampered content as stored) */
  list(stream: string): Promise<unknown[]>;
  streams(): Promise<string[]>;
}
