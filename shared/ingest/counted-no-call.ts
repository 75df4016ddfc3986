import type { ManifestBatch } from './ports.ts';

/**
 * A finished batch that counted no call, only quarantined rows: not refused, no repeat, extending
 * no counted version. Read again, it can count nothing twice, and its rows may have become usable
 * since (its switch's format or zone, or the trunk map, fixed): the same bytes sent again under its
 * key, the same batch id in an unversioned bucket, are read again (ManifestStore.reopen).
 */
export function countedNoCall(batch: ManifestBatch): boolean {
  const t = batch.totals;
  return (
    batch.status === 'done' &&
    t !== null &&
    t.calls === 0 &&
    t.quarantined > 0 &&
    (t.repeated ?? 0) === 0 &&
    (t.alreadyCounted ?? 0) === 0 &&
    batch.refused === undefined &&
    batch.repeatOf === undefined
  );
}
