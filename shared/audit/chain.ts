import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { type AuditEntry, type AuditRecord, auditRecordSchema, GENESIS_HASH } from './record.ts';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Digest of a piece of evidence, stored in audit records instead of the evidence itself. */
export function evidenceDigest(evidence: unknown): string {
  return sha256Hex(canonicalJson(evidence));
}

/** The hash of a record: SHA-256 over the canonical JSON of every field except `hash`. */
export function recordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/** The record that follows `previous` (or starts the stream when there is none). */
export function chainNext(
  stream: string,
  previous: AuditRecord | null,
  entry: AuditEntry,
  at: Date,
): AuditRecord {
  const unsealed = {
    ...entry,
    stream,
    seq: previous ? previous.seq + 1 : 1,
    at: at.toISOString(),
    prevHash: previous ? previous.hash : GENESIS_HASH,
    anchored: true as const,
  };
  return { ...unsealed, hash: recordHash(unsealed) };
}

export type ChainVerdict =
  | {
      ok: true;
      stream: string;
      records: number;
      head: string;
      /** whether the stream's head vouches for its end (see checkTail); unset until checked */
      tail?: 'anchored' | 'not anchored';
    }
  | { ok: false; stream: string; records: number; brokenAt: number; problem: string };

/**
 * Checks one stream: sequence numbers 1..n without gaps, each record's hash matches its content, and
 * each record points at the hash of the one before. Names the first sequence number that fails.
 */
export function verifyChain(stream: string, records: readonly unknown[]): ChainVerdict {
  const sorted = [...records].sort((a, b) => seqOf(a) - seqOf(b));
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const raw of sorted) {
    const seq = seqOf(raw);
    const broken = (problem: string): ChainVerdict => ({
      ok: false,
      stream,
      records: sorted.length,
      brokenAt: Number.isFinite(seq) ? seq : expectedSeq,
      problem,
    });
    const parsed = auditRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return broken(`record ${seq} is malformed: ${issue.path.join('.') || 'record'} ${issue.message}`);
    }
    const record = parsed.data;
    if (record.stream !== stream) return broken(`record ${seq} belongs to stream ${record.stream}`);
    if (record.seq !== expectedSeq) return broken(`expected sequence ${expectedSeq}, found ${record.seq}`);
    if (record.prevHash !== previousHash) {
      return broken(`record ${seq} does not point at the hash of record ${seq - 1}`);
    }
    if (recordHash(record) !== record.hash) {
      return broken(`record ${seq} was altered: its content no longer matches its hash`);
    }
    previousHash = record.hash;
    expectedSeq += 1;
  }
  return { ok: true, stream, records: sorted.length, head: previousHash };
}

function seqOf(record: unknown): number {
  const seq = (record as { seq?: unknown } | null)?.seq;
  return typeof seq === 'number' ? seq : Number.NaN;
}
