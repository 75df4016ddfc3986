import { chainNext } from './chain.ts';
import type { AuditHead, AuditStore } from './ports.ts';
import { type AuditEntry, type AuditRecord, auditEntrySchema } from './record.ts';

const MAX_ATTEMPTS = 8;

export class AuditAppendConflict extends Error {
  override name = 'AuditAppendConflict';
}

/**
 * Appends one entry to a stream's hash chain. Reads the last record, seals the next one, writes it
 * only if the stream's head is still at the record read; when another writer moved it first, reads
 * again.
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
    if (await store.append(record, headAt(head))) return record;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
  throw new AuditAppendConflict(
    `audit stream ${stream}: lost the race for the next sequence number ${MAX_ATTEMPTS} times, ` +
      `or its head is past its last record (records cut off its end): traceguard audit verify --stream ${stream}`,
  );
}

/**
 * The head a stream must have when `last` is its last record: none for an empty stream or one whose
 * last record was written before heads were kept (its first anchored append creates it).
 */
function headAt(last: AuditRecord | null): AuditHead | null {
  return last?.anchored ? { seq: last.seq, hash: last.hash } : null;
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
  return (await store.append(record, headAt(head))) ? record : null;
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
