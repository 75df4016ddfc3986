import type { ChainVerdict } from './chain.ts';
import type { AuditHead } from './ports.ts';

type Sealed = { seq: number; hash: string; anchored?: true };

/**
 * The end of a chain whose hashes hold, against the stream's head: records deleted from the end
 * leave a shorter chain that verifies, but the head still names the last record written. A stream
 * without a head verifies as `not anchored` when all its records are from before heads were kept;
 * when one of them was written with a head, the head was deleted, and that is a break.
 */
export function checkTail(
  verdict: ChainVerdict,
  records: readonly unknown[],
  head: AuditHead | null,
): ChainVerdict {
  if (!verdict.ok || records.length === 0) return verdict;
  // a chain that verified: every record has its seq and hash, in sequence order
  const sealed = records as readonly Sealed[];
  const last = sealed[sealed.length - 1];
  const broken = (brokenAt: number, problem: string): ChainVerdict => ({
    ok: false,
    stream: verdict.stream,
    records: verdict.records,
    brokenAt,
    problem,
  });
  if (!head) {
    const anchored = sealed.findLast((r) => r.anchored);
    if (!anchored) return { ...verdict, tail: 'not anchored' };
    return broken(
      anchored.seq,
      `the stream's head is missing, though record ${anchored.seq} was written with one: records may have been cut off its end`,
    );
  }
  if (head.seq > last.seq)
    return broken(
      last.seq + 1,
      `the stream's head names record ${head.seq}, its last record is ${last.seq}: ${head.seq - last.seq} record(s) cut off its end`,
    );
  if (head.seq < last.seq)
    return broken(
      head.seq + 1,
      `record ${head.seq + 1} and after are past the stream's head (record ${head.seq}): not appended as records are`,
    );
  if (head.hash !== last.hash)
    return broken(last.seq, `record ${last.seq} is not the one the stream's head names: its hash differs`);
  return { ...verdict, tail: 'anchored' };
}
