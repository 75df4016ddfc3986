import { batchIdOf, CDR_PREFIX } from './keys.ts';
import type { BatchObject } from './ports.ts';

/**
 * The reconciliation sweep: every CDR object under `cdr/` must end up in the batch manifest as done.
 * An object with no manifest entry once the grace period has passed (its notification was lost, its
 * message expired or was dead-lettered), or one still processing since before the grace period (a
 * message dead-lettered after ingest began), is re-enqueued for ingest once; the manifest's exactly-once
 * merge makes a second delivery harmless. An object still missing after that is reported as failing.
 * The scan pages through the listing from a checkpoint and starts over after the end, so each run does
 * a bounded amount of work however large the bucket grows.
 */

/** One object of the listing, as ListObjectsV2 reports it (versionId filled in when the bucket has one). */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  lastModifiedMs: number;
}

export interface ObjectListing {
  /** up to `limit` objects under `prefix` with keys after `startAfter`, in key order; `more` when the listing goes on */
  page(
    prefix: string,
    startAfter: string | null,
    limit: number,
  ): Promise<{ objects: ListedObject[]; more: boolean }>;
  /** the current version id of an object, or null when the bucket keeps no versions */
  versionOf(key: string): Promise<string | null>;
}

export interface ReconcileLedger {
  /**
   * true when the manifest holds this batch as done, or as processing since `staleBeforeMs` or later
   * (a delivery may still be on its way or retrying). A batch processing since before that never
   * finished: its message was dead-lettered or expired mid-batch, and it counts as missing.
   */
  known(batchId: string, staleBeforeMs: number): Promise<boolean>;
  /** the key the last run stopped after, or null to start from the beginning */
  checkpoint(): Promise<string | null>;
  saveCheckpoint(afterKey: string | null): Promise<void>;
  /** records the one re-enqueue of a batch; false when it was recorded before (then it keeps failing) */
  claimRequeue(batchId: string, nowMs: number): Promise<boolean>;
  /** true when a re-enqueue of this batch is recorded: what claimRequeue would refuse, read only */
  requeued(batchId: string): Promise<boolean>;
  /** gives the claim back when the send failed, so the next run tries again */
  releaseRequeue(batchId: string): Promise<void>;
}

export interface IngestRequeue {
  send(object: BatchObject): Promise<void>;
}

export interface ReconcileOptions {
  bucket: string;
  /** objects younger than this may still be on their way through the queue */
  graceMs: number;
  /**
   * a batch ingest began longer ago than this and never finished: its message was dead-lettered or
   * expired mid-batch (default: graceMs). One that began since is still on its way or waiting for its
   * retry, and is left alone.
   */
  staleMs?: number;
  /** objects looked at per run */
  maxObjects: number;
  nowMs: number;
  /** report what would be re-enqueued, change nothing (not even the checkpoint) */
  dryRun: boolean;
  /** start at the beginning of the listing instead of the checkpoint (a full pass, e.g. on start) */
  fromStart?: boolean;
}

export type MissingAction = 'requeued' | 'would-requeue' | 'still-failing';

export interface MissingObject {
  key: string;
  batchId: string;
  lastModified: string;
  action: MissingAction;
}

export interface ReconcileReport {
  scanned: number;
  /** objects within the grace period, left for a later run */
  young: number;
  missing: MissingObject[];
  /** where the next run starts (null: from the beginning) */
  checkpoint: string | null;
}

const PAGE_SIZE = 1000;

export interface ReconcilePorts {
  listing: ObjectListing;
  ledger: ReconcileLedger;
  requeue: IngestRequeue;
}

export async function reconcileBatches(
  ports: ReconcilePorts,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { scanned: 0, young: 0, missing: [], checkpoint: null };
  let cursor = options.fromStart ? null : await ports.ledger.checkpoint();
  while (report.scanned < options.maxObjects) {
    const limit = Math.min(PAGE_SIZE, options.maxObjects - report.scanned);
    const { objects, more } = await ports.listing.page(CDR_PREFIX, cursor, limit);
    for (const object of objects) {
      report.scanned++;
      cursor = object.key;
      if (options.nowMs - object.lastModifiedMs < options.graceMs) {
        report.young++;
        continue;
      }
      const missing = await checkObject(ports, options, object);
      if (missing) report.missing.push(missing);
    }
    if (!more) {
      cursor = null; // end of the listing: the next run starts over
      break;
    }
  }
  report.checkpoint = cursor;
  if (!options.dryRun) await ports.ledger.saveCheckpoint(cursor);
  return report;
}

async function checkObject(
  ports: ReconcilePorts,
  options: ReconcileOptions,
  listed: ListedObject,
): Promise<MissingObject | null> {
  const object: BatchObject = {
    bucket: options.bucket,
    key: listed.key,
    versionId: await ports.listing.versionOf(listed.key),
    etag: listed.etag.replaceAll('"', ''),
    size: listed.size,
  };
  const batchId = batchIdOf(object);
  if (await ports.ledger.known(batchId, options.nowMs - (options.staleMs ?? options.graceMs))) return null;
  const found = { key: listed.key, batchId, lastModified: new Date(listed.lastModifiedMs).toISOString() };
  // one decision for both runs: a batch re-enqueued before keeps failing, any other is re-enqueued
  // now. A dry run reads the claim where the real run takes it, and stops before the send.
  const firstRequeue = options.dryRun
    ? !(await ports.ledger.requeued(batchId))
    : await ports.ledger.claimRequeue(batchId, options.nowMs);
  if (!firstRequeue) return { ...found, action: 'still-failing' };
  if (options.dryRun) return { ...found, action: 'would-requeue' };
  try {
    await ports.requeue.send(object);
  } catch (error) {
    await ports.ledger.releaseRequeue(batchId);
    throw error;
  }
  return { ...found, action: 'requeued' };
}
