import { isoUtc } from '../cdr/time.ts';

/**
 * Names shared with docs/wiring.md: object keys, batch ids and the Aggregates table's sort keys.
 * Kept in one file so the store, the manifest and the traceback side agree.
 */
export const CDR_PREFIX = 'cdr/';
/** beside the batch but outside `cdr/`, so writing it cannot trigger another ingest */
export const QUARANTINE_PREFIX = 'quarantine/';

/**
 * What a switch id is (docs/input-contract.md): it is cited in traceback answers and names the
 * switch's configuration, so a path segment such as `..` or `.` must never pass for one.
 */
const SWITCH_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SWITCH_ID_RULE =
  "letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)";

export function isSwitchId(id: string): boolean {
  return SWITCH_ID.test(id);
}

/** The first path segment after `cdr/` of a key under `cdr/<segment>/`, whatever it holds; else null */
export function switchSegmentOf(key: string): string | null {
  if (!key.startsWith(CDR_PREFIX)) return null;
  const rest = key.slice(CDR_PREFIX.length);
  const slash = rest.indexOf('/');
  const segment = slash === -1 ? '' : rest.slice(0, slash);
  return segment === '' ? null : segment;
}

/** switch_id = first path segment after `cdr/`; null when the key has none or it is no switch id */
export function switchIdOf(key: string): string | null {
  const segment = switchSegmentOf(key);
  return segment !== null && isSwitchId(segment) ? segment : null;
}

/** Why ingest takes `key` for no batch, or null when it names one */
export function notABatchReason(key: string): string | null {
  const segment = switchSegmentOf(key);
  if (segment === null) return 'key outside cdr/<switch_id>/';
  if (!isSwitchId(segment)) return `switch id '${segment}' in the key is not one (${SWITCH_ID_RULE})`;
  return null;
}

/** `<bucket>/<key>#<versionId or etag>`: one id per content of one object */
export function batchIdOf(o: {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
}): string {
  return `${o.bucket}/${o.key}#${o.versionId ?? o.etag.replaceAll('"', '')}`;
}

/** The id under which one part's windows are merged (a single-part batch merges under the batch id). */
export function applyIdOf(batchId: string, part: number, singlePart: boolean): string {
  return singlePart ? batchId : `${batchId}#part-${part}`;
}

export function quarantineKeyOf(key: string, part: number): string {
  return `${QUARANTINE_PREFIX}${key}${part === 0 ? '' : `.part-${part}`}`;
}

export function customerPk(customerId: string): string {
  return `CUST#${customerId}`;
}

/** `H#<hourIso>` for the customer-hour window, `T#<trunk>#H#<hourIso>` for a customer-trunk-hour */
export function windowSk(trunkId: string, hourMs: number): string {
  const hour = `H#${isoUtc(hourMs)}`;
  return trunkId === '' ? hour : `T#${trunkId}#${hour}`;
}

/**
 * `D#<dayIso>`: a customer's day window (its hours judged as one, detect/day-window.ts). No aggregate
 * is stored under it, only the severity published for the day; outside the `H#` range every read of
 * a customer's hours queries.
 */
export function daySk(dayMs: number): string {
  return `D#${isoUtc(dayMs)}`;
}

export function isDaySk(sk: string): boolean {
  return sk.startsWith('D#');
}

export function markerSk(applyId: string, sk: string): string {
  return `APPLIED#${applyId}#${sk}`;
}

/** `yyyy-mm-ddThh` of the manifest's HOUR index partitions */
export function manifestHour(hourMs: number): string {
  return new Date(hourMs).toISOString().slice(0, 13);
}

/**
 * What identifies a batch's bytes whatever its key: its ETag (the MD5 of a single-part upload; of a
 * multipart one, the parts' MD5s and their count) and its size. The same bytes uploaded again under
 * another key (a copy, a switch re-sending under a new name) carry the same calls, counted once.
 */
export function contentKey(batch: { etag: string; size: number }): string {
  return `${batch.etag}#${batch.size}`;
}

/**
 * The day review's notes (review-days.ts), in the Aggregates table beside the customers: the days
 * noted under `REVIEW#DAYS` (sk the day's midnight), each day's customers under one of
 * REVIEW_SHARDS partitions (sk the customer id), so a carrier's thousands of customers touched in
 * one batch do not all write to one partition.
 */
export const REVIEW_PK_PREFIX = 'REVIEW#';
export const REVIEW_DAYS_PK = `${REVIEW_PK_PREFIX}DAYS`;
export const REVIEW_SHARDS = 8;

export function reviewDaySk(dayMs: number): string {
  return isoUtc(dayMs);
}

export function reviewCustomersPk(dayMs: number, shard: number): string {
  return `${REVIEW_PK_PREFIX}${isoUtc(dayMs)}#${shard}`;
}

/** The shard of a customer's notes: a string hash, the same in every process. */
export function reviewShardOf(customerId: string): number {
  let h = 0;
  for (let i = 0; i < customerId.length; i++) h = (h * 31 + customerId.charCodeAt(i)) | 0;
  return (h >>> 0) % REVIEW_SHARDS;
}
