import type { SwitchConfigSource } from '../config/switches.ts';
import type { Customer } from '../detect/customers.ts';
import type { CustomerDeclarations } from '../detect/declarations.ts';
import type { Policy } from '../detect/policy.ts';
import type { NumberInventory } from '../detect/reference.ts';
import type { TracebackHistory } from '../detect/traceback-history.ts';
import type { WindowAggregate } from '../detect/window.ts';
import type { FindingEvent } from './finding-event.ts';

/**
 * What ingest needs from the outside world. The AWS adapters live in shared/aws/; in-memory
 * implementations (shared/ingest/memory-*.ts) drive the same orchestration in unit tests.
 */

/** One version of one CDR object, as an S3 event or a continuation names it. */
export interface BatchObject {
  bucket: string;
  key: string;
  /** null for an unversioned bucket; then the etag pins the content */
  versionId: string | null;
  etag: string;
  size: number;
}

export interface BatchSource {
  /** the object's bytes, streamed; null when that version no longer exists (overwritten, deleted) */
  open(object: BatchObject): Promise<AsyncIterable<Uint8Array> | null>;
  /** writes a quarantine object (JSON Lines) in the same bucket; never touches the batch itself */
  writeQuarantine(bucket: string, key: string, body: string): Promise<void>;
}

/** A window as stored: the mergeable aggregate plus what lives beside it on the item. */
export interface StoredWindow {
  window: WindowAggregate;
  /** calls per trunk in this customer-hour (customer-level windows only), for the finding's top trunks */
  trunkCalls: Record<string, number>;
  /** optimistic-concurrency version; 0 when the item does not exist yet */
  version: number;
  /** rank of the highest severity published for this window, 0 = none */
  sev: number;
}

/**
 * What one window of a `commitMany` transaction came to. Throttling and conflicts of the whole
 * request are not outcomes: adapters throw RetryableStoreError and the merge loop backs off.
 */
export type CommitOutcome =
  /** the marker and the new window version were written (with every other window of the group) */
  | 'committed'
  /** this applyId was merged into this window before: nothing to do for it */
  | 'already-applied'
  /** another writer changed the window since we read it: re-read it and merge again */
  | 'version-conflict'
  /** this window's items were busy in another transaction or throttled: back off, try again as is */
  | 'contended'
  /** the transaction was cancelled for another window's reason: nothing was written, try again as is */
  | 'cancelled';

/** A store call failed for a reason that goes away by itself (throttling, transaction conflict). */
export class RetryableStoreError extends Error {
  override name = 'RetryableStoreError';
}

export type ClaimOutcome = 'claimed' | 'published' | 'busy';

export interface WindowKey {
  customerId: string;
  /** `H#<hourIso>` or `T#<trunk>#H#<hourIso>` */
  sk: string;
}

export interface CommitRequest extends WindowKey {
  /** `<batchId>` or `<batchId>#part-N`: the marker `APPLIED#<applyId>#<sk>` makes the merge exactly once */
  applyId: string;
  /** version read before the merge; 0 = the item must not exist yet */
  expectedVersion: number;
  next: { window: WindowAggregate; trunkCalls: Record<string, number> };
}

/** Limits of one call, as DynamoDB sets them (BatchGetItem keys; TransactWriteItems actions, 2 per window). */
export const MAX_KEYS_PER_READ = 100;
export const MAX_WINDOWS_PER_COMMIT = 50;
/** DynamoDB's limit on the items of one transaction; callers keep well under it (sizes are estimates) */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

export interface AggregateStore {
  /** strongly consistent read of one window item */
  read(customerId: string, sk: string): Promise<StoredWindow | null>;
  /**
   * Strongly consistent read of up to MAX_KEYS_PER_READ distinct window items, answered in the
   * order of `keys` (null where an item does not exist yet).
   */
  readMany(keys: WindowKey[]): Promise<Array<StoredWindow | null>>;
  /**
   * Writes marker + new version of up to MAX_WINDOWS_PER_COMMIT distinct windows in ONE
   * all-or-nothing transaction: either every outcome is `committed`, or nothing was written and
   * each window says why (in the order of `requests`).
   */
  commitMany(requests: CommitRequest[]): Promise<CommitOutcome[]>;
  /** the customer-level windows of one customer with hourMs in [fromMs, toMs], strongly consistent */
  customerHours(customerId: string, fromMs: number, toMs: number): Promise<StoredWindow[]>;
  /**
   * Claims the right to publish severity `rank` for a window. `claimed`: go ahead; `published`:
   * this rank or higher was published already; `busy`: another invocation holds a live claim for
   * this rank or higher and has not confirmed yet.
   */
  claimSeverity(
    customerId: string,
    sk: string,
    rank: number,
    claimant: string,
    untilMs: number,
    nowMs: number,
  ): Promise<ClaimOutcome>;
  /** records that `rank` was published (raises `sev`, never lowers it) and drops `claimant`'s claim */
  confirmSeverity(customerId: string, sk: string, rank: number, claimant: string): Promise<void>;
  /** gives a claim back after a failed publish so a redelivery can try again at once */
  releaseSeverity(customerId: string, sk: string, claimant: string): Promise<void>;
  /**
   * Gives back every publish claim still standing, and says how many: for a local stack starting on
   * its data folder, where every claim is one a killed run left (one stack runs on a folder at a
   * time). A table scan: never for a function, where a killed invocation's claim ends with its lease.
   */
  releaseAllClaims(): Promise<number>;
  /**
   * Notes that parts wrote hours to these customers' UTC days, for the day review (review-days.ts):
   * each customer-day, then each day, under `token`, replacing an earlier note's token.
   */
  markDaysTouched(days: CustomerDay[], token: string): Promise<void>;
  /** the days noted and not yet reviewed, each with the token of its latest note */
  touchedDays(): Promise<Array<{ dayMs: number; token: string }>>;
  /** the customers noted for one day and not yet reviewed, each with the token of its latest note */
  touchedCustomers(dayMs: number): Promise<Array<{ customerId: string; token: string }>>;
  /**
   * Forgets a customer's note for a day (a day's own note when `customerId` is null), only while it
   * still has `token`: false when a part noted it again since it was read, so it waits for the next review.
   */
  clearTouched(dayMs: number, customerId: string | null, token: string): Promise<boolean>;
}

/** One customer's UTC day (dayMs: its midnight). */
export interface CustomerDay {
  customerId: string;
  dayMs: number;
}

/** Rows, calls and time span of one part (or of a whole batch). */
export interface PartStats {
  rows: number;
  calls: number;
  quarantined: number;
  firstMs: number | null;
  lastMs: number | null;
}

/** Where a part ends, fixed before its windows are merged so a re-run covers exactly the same rows. */
export interface PartCut extends PartStats {
  /** data rows of the object consumed up to the end of this part (skipRows of the next part) */
  endRow: number;
  /** true when this part reached the end of the object */
  final: boolean;
}

export interface ManifestBatch {
  batchId: string;
  status: 'processing' | 'done';
  parts: Record<string, PartCut>;
  /** the next part to run, once a continuation was sent */
  checkpoint: { part: number; skipRows: number } | null;
  /** why the batch was refused, nothing of it counted (a re-upload that changes a counted batch) */
  refused?: string;
  /** the batch that holds the same calls and counted them (a copy, or the same file gzipped); none counted here, its bad rows quarantined here */
  repeatOf?: string;
  /** why ingest could not read the batch at all (see fail), null when it could */
  failure: string | null;
  /**
   * the whole batch's counts, once done (rows = calls + quarantined + repeated); `repeated`: a
   * repeat's calls, counted by the batch it repeats (`repeatOf`), not here. A version that extends
   * the one counted before under its key (EarlierRows) reads only the rows after that one's, which
   * `rows` holds: the file holds alreadyCounted + alreadyQuarantined + rows
   */
  totals: ({ rows: number; calls: number; quarantined: number; repeated?: number } & EarlierRows) | null;
}

/**
 * The rows at the start of a version that the versions before it under its key read, and it does
 * not (it extends them): calls counted there (the key's, or a repeat's, counted by the batch it
 * repeats) and rows quarantined there. Rows that version held back as possibly cut short (its last,
 * with no line end after it) are none of them: this version reads them again, `readAgain` of its
 * own rows. Each is left out when 0.
 */
export interface EarlierRows {
  alreadyCounted?: number;
  alreadyQuarantined?: number;
  readAgain?: number;
}

/** The fields of EarlierRows, as a manifest item stores them (each a number, or absent). */
export const EARLIER_ROWS = ['alreadyCounted', 'alreadyQuarantined', 'readAgain'] as const;

/** The EarlierRows an item (a stored batch's attributes or totals) holds. */
export function earlierRowsOf(item: Partial<Record<(typeof EARLIER_ROWS)[number], unknown>>): EarlierRows {
  const rows: EarlierRows = {};
  for (const name of EARLIER_ROWS) {
    const value = item[name];
    if (typeof value === 'number') rows[name] = value;
  }
  return rows;
}

/** A batch's totals as `finish` records them (EarlierRows: what versions before it under its key read). */
export interface BatchTotals extends PartStats, EarlierRows {
  format: string;
  /** set when the batch was refused: why (nothing of it is counted) */
  refused?: string;
  /** set when the batch repeats another one's content: that batch (none of its calls is counted here) */
  repeatOf?: string;
  /** a repeat's calls, which the batch it repeats counted (its unusable rows are its own, quarantined) */
  repeated?: number;
}

/**
 * What the latest counted version of an object key left: the next version under the key is counted
 * only from where this one ended, and only if it extends it (the same bytes, then more).
 */
export interface KeyCounted {
  batchId: string;
  /**
   * data rows of the object read for good (its last part's endRow), less those it held back: the
   * next version reads on from here
   */
  endRow: number;
  /**
   * rows after `endRow` the version held back, quarantined as possibly cut short: its last, with no
   * line end after it (a file uploaded while the switch wrote it). The next version, which extends
   * its bytes, reads them again. Absent when 0
   */
  heldBack?: number;
  /**
   * calls counted from the key's bytes so far: this version's, plus those of the versions it extends;
   * a repeat's calls too, counted by the batch it repeats (they are the key's, counted once)
   */
  calls: number;
  /** SHA-256 (hex) of the version's decoded bytes (gunzipped if gzip), and their length */
  sha256: string;
  bytes: number;
}

/** `claimKey`: the version this batch builds on (null: none counted under the key), or who holds the key. */
export type KeyClaim = { base: KeyCounted | null } | { heldBy: string };

/** What `finish` writes for the batch's key: its new latest counted version, or null (refused: unchanged). */
export interface KeyFinish {
  bucket: string;
  key: string;
  counted: KeyCounted | null;
}

export interface BatchIdentity {
  batchId: string;
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
  switchId: string;
  size: number;
}

export interface HourSpan {
  hourMs: number;
  firstMs: number;
  lastMs: number;
}

export interface ManifestStore {
  get(batchId: string): Promise<ManifestBatch | null>;
  /** creates the batch item (status processing) unless it exists */
  begin(batch: BatchIdentity): Promise<void>;
  /**
   * Makes a finished batch that counted no call (countedNoCall) one to read again: status processing,
   * its parts, checkpoint and totals cleared. False, and nothing changed, when it is not such a batch
   * (any more: another delivery reopened it, or counted it, first).
   */
  reopen(batchId: string): Promise<boolean>;
  /**
   * Claims the batch's content for this batch unless another batch holds it: returns the batch id
   * that holds it (this one after a first claim or a redelivery, another when the same content
   * arrived before under another key). First writer wins. `content` names it: by default its ETag
   * and size (the same bytes), or a digest of its decoded lines (decodedContentKey: the same calls
   * gzipped or with other line ends).
   */
  claimContent(batch: BatchIdentity, content?: string): Promise<string>;
  /**
   * Gives back the batch's content claim (`content` as for claimContent), if this batch holds it: a
   * batch that ends without counting a call (every row quarantined, refused, unreadable) holds no call
   * to count once, so the same content sent again (after its switch or trunk map was fixed) is no repeat.
   */
  releaseContent(batch: BatchIdentity, content?: string): Promise<void>;
  /** records where part N ends unless already recorded; returns the recorded cut (first writer wins) */
  recordPart(batchId: string, part: number, cut: PartCut): Promise<PartCut>;
  /** HOUR index items for the hours this batch's calls span (widened, never narrowed, on re-runs) */
  recordHours(batch: BatchIdentity, hours: HourSpan[]): Promise<void>;
  /** records where the next part starts; a failure recorded before (see fail) is over */
  checkpoint(batchId: string, next: { part: number; skipRows: number }): Promise<void>;
  /**
   * Claims the batch's object key for this batch until it finishes, so versions of one key are counted
   * one after the other: returns the key's latest counted version as it was at the first claim (the
   * same on every part and redelivery), or the batch that holds the key now.
   */
  claimKey(batch: BatchIdentity): Promise<KeyClaim>;
  /** gives the key back unchanged (a batch that failed before counting anything), if this batch holds it */
  releaseKey(batch: BatchIdentity): Promise<void>;
  /**
   * Marks the batch done with its totals; with `key`, in the same all-or-nothing write, records the
   * key's latest counted version (or leaves it, when `counted` is null) and ends this batch's claim.
   */
  finish(batchId: string, totals: BatchTotals, key?: KeyFinish): Promise<void>;
  /**
   * records why the batch cannot be read at all (every delivery fails the same way until the file or
   * the switch's configuration is fixed), or why its last delivery failed (delivery-failure.ts), for
   * `traceguard quarantine show`; a batch already done, or never begun, is left as it is. The status stays processing:
   * a delivery after the fix reads it and finishes it (or checkpoints its next part).
   */
  fail(batchId: string, reason: string): Promise<void>;
  /**
   * The batches ingest first began in [fromMs, toMs] (by the hour it began them) that are not done,
   * for the day review (day-holds.ts): one read per hour of the span, then the batches' own items.
   */
  unfinishedBegun(fromMs: number, toMs: number): Promise<UnfinishedBatch[]>;
}

/** A batch begun and not done: what the day review may wait for. */
export interface UnfinishedBatch {
  batchId: string;
  /** when ingest first began it (no call of it is later, clocks allowing) */
  startedMs: number;
  /** the parts read so far, with their calls' first and last times */
  parts: Record<string, PartCut>;
  /** as ManifestBatch.failure: why its last delivery failed, or why it cannot be read; null while being read */
  failure: string | null;
}

export interface ReferenceNumbers {
  dno: Set<string>;
  inventory: NumberInventory;
  /** customers' declared source addresses and calling numbers, checked per call like the inventory */
  declarations: Map<string, CustomerDeclarations>;
}

/** Reference data for ingest; `switches()` says how to read each switch's batches. */
export interface ReferenceSource extends SwitchConfigSource {
  /** DNO list and number inventory: the aggregator needs them for every call */
  numbers(): Promise<ReferenceNumbers>;
  /** registry rows of these customers (missing ones are treated as new by scoring) */
  customers(customerIds: string[]): Promise<Map<string, Customer>>;
  policy(): Promise<Policy>;
  /** traceback history of these customers, or null when none is kept */
  tracebacks(customerIds: string[]): Promise<TracebackHistory | null>;
}

export interface EventPublisher {
  publishFinding(event: FindingEvent): Promise<void>;
}

/** Where a continuation message for the rest of a big object goes (the ingest queue itself). */
export interface WorkQueue {
  sendContinuation(continuation: Continuation): Promise<void>;
  /** the job again, delivered no sooner than `delaySeconds` from now (at most 900: SQS's limit) */
  sendLater(job: Continuation, delaySeconds: number): Promise<void>;
}

export interface Continuation {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
  size: number;
  part: number;
  skipRows: number;
  /** how many times the job was sent back to wait for another version of its key (none: never) */
  waits?: number;
}

export interface Clock {
  now(): number;
  /** milliseconds left in this invocation */
  remainingMs(): number;
}

/** Structured log lines: counts and ids only, never phone numbers. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface IngestPorts {
  source: BatchSource;
  aggregates: AggregateStore;
  manifest: ManifestStore;
  reference: ReferenceSource;
  events: EventPublisher;
  queue: WorkQueue;
  clock: Clock;
  log: Log;
}
