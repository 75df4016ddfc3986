import { chainNext } from './chain.ts';
import type { AuditStore } from './ports.ts';
import { type AuditEntry, type AuditRecord, auditEntrySchema } from './record.ts';

const MAX_ATTEMPTS = 8;

export class AuditAppendConflict extends Error {
  override name = 'AuditAppendConflict';
}

/**
 * Appends one entry to a stream's hash chain. Reads the head, seals the next record, writes it only
 * if its sequence number is still free; when another writer took the slot first, reads again.
 */
export async function appendAudit(
  store: AuditStore,
  stream: string,
  entry: AuditEntry,
  now: () => Date = () => new Date(),
): Promise<AuditRecord> {
  const valid = auditEntrySchema.parse(entry);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const head = await store.last(stream);
    const record = chainNext(stream, head, valid, now());
    if (await store.putIfAbsent(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
  throw new AuditAppendConflict(
    `audit stream ${stream}: lost the race for the next sequence number ${MAX_ATTEMPTS} times`,
  );
}

/**
 * Appends one entry right after `head` (the stream's last record as the caller read it, null for an
 * empty stream), or not at all: null when another record was appended since. For a decision taken
 * on what the stream said, which someone else acting at once must not both take.
 */
export async function appendAuditAfter(
  store: AuditStore,
  stream: string,
  head: AuditRecord | null,
  entry: AuditEntry,
  now: () => Date = () => new Date(),
): Promise<AuditRecord | null> {
  const record = chainNext(stream, head, auditEntrySchema.parse(entry), now());
  return (await store.putIfAbsent(record)) ? record : null;
}

const CASE_STREAM = 'case#';

/**
 * Stream names: one chain per case, one per customer for what people do to it outside a case (a
 * reinstatement), one for the raw compliance events.
 */
export const auditStreams = {
  forCase: (caseId: string) => `${CASE_STREAM}${caseId}`,
  forCustomer: (customerId: string) => `customer#${customerId}`,
  /** the case a stream is the chain of, or null for another stream */
  caseOf: (stream: string): string | null =>
    stream.startsWith(CASE_STREAM) ? stream.slice(CASE_STREAM.length) : null,
  events: 'events',
} as const;
