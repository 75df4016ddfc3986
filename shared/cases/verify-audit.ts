import { auditStreams } from '../audit/append.ts';
import type { ChainVerdict } from '../audit/chain.ts';
import type { AuditStore } from '../audit/ports.ts';
import { checkTail, readStream, type Settle, type StreamRead } from '../audit/tail.ts';
import { EVENT_QUEUE_VISIBILITY_SECONDS } from '../config/deliveries.ts';
import { missingFromCaseAudit } from './audit-coverage.ts';
import type { CaseRecord } from './model.ts';
import type { CaseStore } from './ports.ts';

/**
 * How long after a case was opened its audit stream may still hold no record. The EscalationQueue
 * delivery that opens a case appends its `case.opened` record after starting its review, so the
 * record follows the case by at most that delivery's run, which the queue's visibility timeout
 * bounds (past it the message is delivered again); it also covers the clocks of this machine and of
 * the function differing by a little. A case older than this with no record lost it.
 */
export const FIRST_RECORD_GRACE_MS = EVENT_QUEUE_VISIBILITY_SECONDS * 1000;

/** A case opened so recently that its stream's first record may not be written yet: not a break. */
export interface PendingVerdict {
  ok: true;
  stream: string;
  records: 0;
  pending: string;
}

export type StreamVerdict = ChainVerdict | PendingVerdict;

export interface AuditVerifyDeps {
  audit: Pick<AuditStore, 'head' | 'list'>;
  /** the case records, to check each case stream against; null where no Cases table is known */
  cases: Pick<CaseStore, 'get' | 'listOpen'> | null;
  now: () => Date;
  settle?: Settle;
  wait?: (ms: number) => Promise<void>;
}

/**
 * `traceguard audit verify`: each stream named, then (with `openCases`) each open case whose stream
 * is not among them: deleting a stream whole leaves no chain to verify, so a walk over the streams
 * there are would not see it; the case record says it existed. Those are read now, not taken from
 * the list of streams: a case opened while the others were verified may have its records by then.
 */
export async function verifyAuditStreams(
  deps: AuditVerifyDeps,
  streams: readonly string[],
  openCases: boolean,
): Promise<StreamVerdict[]> {
  const verdicts: StreamVerdict[] = [];
  for (const stream of streams)
    verdicts.push(await verifyAuditStream(deps, stream, 'no records in this stream'));
  if (!openCases || !deps.cases) return verdicts;
  const known = new Set(streams);
  for (const open of await deps.cases.listOpen()) {
    const stream = auditStreams.forCase(open.caseId);
    if (!known.has(stream))
      verdicts.push(
        await verifyAuditStream(deps, stream, 'an open case on record whose audit stream holds no records'),
      );
  }
  return verdicts;
}

/**
 * One stream: its chain, a case stream against its case record (see missingFromCaseAudit: records
 * deleted from the end leave a chain whose hashes hold), then its end against its head (checkTail).
 * `empty` is the problem of a stream with no records, unless it is a new case's (firstRecordPending).
 */
async function verifyAuditStream(
  deps: AuditVerifyDeps,
  stream: string,
  empty: string,
): Promise<StreamVerdict> {
  const caseId = auditStreams.caseOf(stream);
  // The case record before the stream: each change to a case is saved before its audit record is
  // appended, so a change saved and appended while the stream is being read cannot show as missing.
  const record = deps.cases && caseId !== null ? await deps.cases.get(caseId) : null;
  const read = await readStream(deps.audit, stream, deps.settle, deps.wait);
  if (!read.chain.ok) return read.chain;
  if (read.records.length === 0) {
    // no head either: no record was ever written, where a head would say one was
    const pending = record && !read.head && !read.headAfter ? firstRecordPending(record, deps.now()) : null;
    if (pending) return { ok: true, stream, records: 0, pending };
    return { ok: false, stream, records: 0, brokenAt: 0, problem: empty };
  }
  return checkTail(
    deps.cases && caseId !== null ? againstCase(read, record) : read.chain,
    read.records,
    read.head,
    read.headAfter,
  );
}

/**
 * Why a case's stream holds no record yet, while the case is new enough for its first record to be
 * on its way (FIRST_RECORD_GRACE_MS, either side of now); null once it is older.
 */
export function firstRecordPending(record: CaseRecord, now: Date): string | null {
  const age = now.getTime() - Date.parse(record.openedAt);
  if (!(Math.abs(age) < FIRST_RECORD_GRACE_MS)) return null;
  return `case opened at ${record.openedAt}, its first audit record not written yet`;
}

/** A case stream whose chain verified, against what its case record says happened. */
function againstCase(read: StreamRead, record: CaseRecord | null): ChainVerdict {
  const missing = record
    ? missingFromCaseAudit(record, actionsInOrder(read.records))
    : 'no case record for this stream';
  return missing ? { ...read.chain, ok: false, brokenAt: read.records.length, problem: missing } : read.chain;
}

/** The actions of a chain that verified (so every record has its seq and action), in sequence order. */
function actionsInOrder(records: readonly unknown[]): string[] {
  return (records as Array<{ seq: number; action: string }>)
    .slice()
    .sort((a, b) => a.seq - b.seq)
    .map((r) => r.action);
}
