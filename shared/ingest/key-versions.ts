import { createHash, type Hash } from 'node:crypto';
import { decodeBatch } from '../cdr/decode.ts';
import type { BatchSource, EarlierRows, Continuation as IngestJob, KeyCounted } from './ports.ts';

/**
 * Versions of one object key (a switch re-uploading its growing day file under the same name): a
 * new version is counted only from where the key's latest counted version ended, and only when it
 * extends it, its decoded bytes starting with exactly that version's bytes. A version that changes
 * them is refused: its calls would be counted twice.
 */
export const REFUSED_REASON =
  'replaces a batch already counted under this key and does not extend it; counting it would count its calls twice';
export const REFUSED_FIX = 'send the changed or missing calls under a new key';

/**
 * What the versions before it under its key read of the first rows of a version that extends `base`
 * (the key's counted version): the calls counted and rows quarantined there, which it skips, and the
 * rows `base` held back (its last, with no line end after it), which it reads again. `base.endRow`
 * rows were read for good, `base.calls` of them calls: the rest were quarantined.
 */
export function earlierRows(base: KeyCounted): EarlierRows {
  const quarantined = base.endRow - base.calls;
  return {
    alreadyCounted: base.calls,
    ...(quarantined > 0 ? { alreadyQuarantined: quarantined } : {}),
    ...(base.heldBack ? { readAgain: base.heldBack } : {}),
  };
}

/**
 * The ingest log's words for what a version extending `base` starts with: the rows read before, as
 * counted (and quarantined), and the rows held back then and read again now.
 */
export function extendsWhat(base: KeyCounted): string {
  const { alreadyCounted = 0, alreadyQuarantined = 0, readAgain = 0 } = earlierRows(base);
  const before =
    alreadyQuarantined === 0
      ? `whose ${base.endRow} row(s) it starts with were counted then`
      : `whose ${base.endRow} row(s) it starts with were read then (${alreadyCounted} call(s) counted, ${alreadyQuarantined} quarantined)`;
  if (readAgain === 0) return before;
  return `${before}; the ${readAgain} row(s) after them, held back then as the last, without a line end (possibly cut short), were read again here`;
}

/** Thrown from the reader when the bytes part from the counted version's: stop reading, count nothing. */
export class NotAnExtension extends Error {
  override name = 'NotAnExtension';
}

/**
 * Another version of the key has been counted for longer than a version may wait (KEY_WAIT_SECONDS x
 * KEY_WAITS_MAX): the message fails, to be redelivered and in the end dead-lettered with an alarm.
 */
export class KeyInUse extends Error {
  override name = 'KeyInUse';
}

/**
 * A version that finds another version of its key being counted is sent back to the queue to start
 * again this much later: it is no failure (a switch uploading its day file every few minutes, one
 * version still in its parts), and a failed message would wait out the queue's 30-minute visibility
 * timeout and count toward its dead-letter receives.
 */
export const KEY_WAIT_SECONDS = 60;
/** how many times a version is sent back before it fails: an hour of waiting (a key held that long is stuck) */
export const KEY_WAITS_MAX = 60;

/**
 * SHA-256 and length of a batch's decoded bytes, taken chunk by chunk as the reader decodes them
 * (no second read), and whether they start with the bytes of `prefix` (the key's counted version).
 * Every part re-reads the object from its start, so the final part's digest covers all of it.
 */
export class DecodedDigest {
  private readonly whole: Hash = createHash('sha256');
  private readonly head: Hash | null;
  private readonly prefix: Pick<KeyCounted, 'sha256' | 'bytes'> | null;
  private length = 0;
  /** null while the prefix is not read in full; always true without a prefix */
  private verdict: boolean | null;

  constructor(prefix: Pick<KeyCounted, 'sha256' | 'bytes'> | null) {
    this.prefix = prefix;
    this.head = prefix && prefix.bytes > 0 ? createHash('sha256') : null;
    this.verdict = this.head === null ? true : null;
  }

  /** false until the prefix was read in full: a part must not end before it knows what it counts */
  get settled(): boolean {
    return this.verdict !== null;
  }

  /** true once the bytes read start with the prefix; false if they differ or ended before it */
  get extendsPrefix(): boolean {
    return this.verdict === true;
  }

  /** Takes the next decoded chunk; throws NotAnExtension as soon as the bytes part from the prefix. */
  update(chunk: Buffer): void {
    this.whole.update(chunk);
    if (this.head !== null && this.prefix !== null && this.verdict === null) {
      const take = Math.min(chunk.length, this.prefix.bytes - this.length);
      this.head.update(chunk.subarray(0, take));
      if (this.length + take === this.prefix.bytes) {
        this.verdict = this.head.digest('hex') === this.prefix.sha256;
        if (!this.verdict) throw new NotAnExtension(REFUSED_REASON);
      }
    }
    this.length += chunk.length;
  }

  /** the digest of every byte read (call once, after the whole object was read) */
  digest(): { sha256: string; bytes: number } {
    return { sha256: this.whole.digest('hex'), bytes: this.length };
  }
}

/** How a version that does not extend the key's counted one compares with it, byte by byte. */
export type CountedComparison =
  /** its bytes are the counted version's first ones: an earlier upload of the growing file */
  | { startOfCounted: true }
  /** the line (1-based, in the decoded text) at which its bytes first part from the counted version's */
  | { startOfCounted: false; firstChangedLine: number };

/**
 * A version that does not extend the key's counted one, compared with it: either it is where that one
 * started (an earlier upload delivered late, out of order or redriven from the dead-letter queue, whose
 * rows were all counted with the counted version, so it is neither counted again nor refused), or it
 * changes it, and the line where it first does tells whoever sent it which calls to send again. Null
 * when either cannot be read again: an unversioned bucket keeps only the newest. Read only on that path.
 */
export async function compareWithCounted(
  source: BatchSource,
  job: IngestJob,
  counted: KeyCounted,
  maxDecodedBytes: number | undefined,
): Promise<CountedComparison | null> {
  if (job.versionId === null) return null;
  // the counted batch's id ends in its version id (a versioned bucket's batch ids do)
  const versionId = counted.batchId.slice(counted.batchId.lastIndexOf('#') + 1);
  const [mine, theirs] = await Promise.all([
    source.open(job),
    source.open({ bucket: job.bucket, key: job.key, versionId, etag: '', size: counted.bytes }),
  ]);
  if (mine === null || theirs === null) return null;
  const a = decodeBatch(mine, job.key, maxDecodedBytes)[Symbol.asyncIterator]();
  const b = decodeBatch(theirs, job.key, maxDecodedBytes)[Symbol.asyncIterator]();
  let chunkA: Buffer = Buffer.alloc(0);
  let chunkB: Buffer = Buffer.alloc(0);
  let line = 1;
  try {
    for (;;) {
      if (chunkA.length === 0) {
        const next = await a.next();
        // every byte of it is the counted version's
        if (next.done) return { startOfCounted: true };
        chunkA = next.value;
      }
      if (chunkB.length === 0) {
        const next = await b.next();
        if (next.done) return { startOfCounted: false, firstChangedLine: line };
        chunkB = next.value;
      }
      const n = Math.min(chunkA.length, chunkB.length);
      for (let i = 0; i < n; i++) {
        if (chunkA[i] !== chunkB[i]) return { startOfCounted: false, firstChangedLine: line };
        if (chunkA[i] === 10) line++;
      }
      chunkA = chunkA.subarray(n);
      chunkB = chunkB.subarray(n);
    }
  } finally {
    await Promise.all([a.return?.(undefined), b.return?.(undefined)]);
  }
}
