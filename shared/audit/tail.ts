import { type ChainVerdict, verifyChain } from './chain.ts';
import type { AuditHead, AuditStore } from './ports.ts';

type Sealed = { seq: number; hash: string; anchored?: true };

/**
 * The end of a chain whose hashes hold, against the stream's head: records deleted from the end
 * leave a shorter chain that verifies, but the head still names the last record written. A stream
 * without a head verifies as `not anchored` when all its records are from before heads were kept;
 * when one of them was written with a head, the head was deleted, and that is a break.
 *
 * `head` is the head as read before the records, `headAfter` as read after them (see readStream):
 * every record `head` names must be among them, with the hash it names; records past it were
 * appended since, and are vouched for by `headAfter`, which moved with them.
 */
export function checkTail(
  verdict: ChainVerdict,
  records: readonly unknown[],
  head: AuditHead | null,
  headAfter: AuditHead | null = head,
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
  const notNamed = (seq: number) =>
    broken(seq, `record ${seq} is not the one the stream's head names: its hash differs`);
  if (head) {
    if (head.seq > last.seq)
      return broken(
        last.seq + 1,
        `the stream's head names record ${head.seq}, its last record is ${last.seq}: ${head.seq - last.seq} record(s) cut off its end`,
      );
    const named = sealed.find((r) => r.seq === head.seq);
    if (named && named.hash !== head.hash) return notNamed(head.seq);
    if (named && head.seq === last.seq) return { ...verdict, tail: 'anchored' };
  }
  if (!headAfter) {
    const anchored = sealed.findLast((r) => r.anchored);
    if (!anchored) return { ...verdict, tail: 'not anchored' };
    return broken(
      anchored.seq,
      `the stream's head is missing, though record ${anchored.seq} was written with one: records may have been cut off its end`,
    );
  }
  if (headAfter.seq < last.seq)
    return broken(
      headAfter.seq + 1,
      `record ${headAfter.seq + 1} and after are past the stream's head (record ${headAfter.seq}): not appended as records are`,
    );
  if (headAfter.seq === last.seq && headAfter.hash !== last.hash) return notNamed(last.seq);
  // past the last record read: appended since the records were read, chained on from what they hold
  return { ...verdict, tail: 'anchored' };
}

/** How often a stream's end that does not match its head is read, and how long apart. */
export interface Settle {
  reads: number;
  waitMs: number;
}

/** A few reads within a second: how far apart DynamoDB may show the items of one transaction. */
export const SETTLE: Settle = { reads: 4, waitMs: 250 };

/** A stream as read to be verified: its records, their chain's verdict, and its head before and after. */
export interface StreamRead {
  records: unknown[];
  chain: ChainVerdict;
  /** the head as read before the records */
  head: AuditHead | null;
  /** the head as read after them, when they go past `head` (appended meanwhile); else `head` */
  headAfter: AuditHead | null;
}

/**
 * Reads a stream to verify while writers may be appending to it: the head first, then the records.
 * An append writes its record and moves the head in one transaction, and no writer removes a record,
 * so every record the head names was stored before the records are read: one missing from them was
 * deleted. (Reading the records first, a record appended between the two reads showed as cut off.)
 * Records past that head were appended meanwhile; they pass only when the head read after them moved
 * with them, and the record the first head names still has the hash it names, so they chain on from
 * an end the head vouched for. A stream's end that does not match is read again, `settle.reads`
 * times in all: DynamoDB's reads of several items are read-committed, not a snapshot, so the head's
 * item may show a transaction a moment before the record's item does. A gap still there after that
 * is no write in progress, and is judged (checkTail) as what it is. Nothing here can pass a record
 * the first head named; a record both appended and deleted while the stream is read shows in the
 * next run, whose first head names it.
 */
export async function readStream(
  store: Pick<AuditStore, 'head' | 'list'>,
  stream: string,
  settle: Settle = SETTLE,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<StreamRead> {
  const head = await store.head(stream);
  const records = await store.list(stream);
  for (let read = 1; ; read++) {
    const chain = verifyChain(stream, records);
    // a broken chain is broken however long one waits; only an end that does not match is read again
    if (!chain.ok) return { records, chain, head, headAfter: head };
    const lastSeq = (records as readonly Sealed[]).at(-1)?.seq ?? 0;
    const headAfter = lastSeq > (head?.seq ?? 0) ? await store.head(stream) : head;
    const settled = lastSeq >= (head?.seq ?? 0) && checkTail(chain, records, head, headAfter).ok;
    if (settled || read >= settle.reads) return { records, chain, head, headAfter };
    await wait(settle.waitMs);
    records.push(...(await store.list(stream, lastSeq)));
  }
}
