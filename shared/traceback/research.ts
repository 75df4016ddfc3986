import { HOUR_MS, isoUtc } from '../cdr/time.ts';
import type { TracebackAnswer } from './answer.ts';
import { type ManifestReader, selectBatches } from './batches.ts';
import { searchWindow } from './match.ts';
import type { TracebackQueue, TracebackStore } from './ports.ts';
import type { TracebackRecord } from './record.ts';
import { type TracebackRequest, validateTracebackRequest } from './request.ts';

/**
 * Switches send batches hours late, so a `not_found` answer may be wrong by the time the batch holding
 * the call arrives. Until the deadline, and for this long after it (a correction is still worth
 * sending), a `not_found` answer is searched again whenever its window gained batches.
 */
export const DEFAULT_CORRECTION_HOURS = 24;

/** Whether a stored answer is one a late batch may still change: `not_found`, and not too long past due. */
export function mayResearch(
  record: TracebackRecord,
  nowMs: number,
  correctionHours: number = DEFAULT_CORRECTION_HOURS,
): boolean {
  return (
    record.status === 'answered' &&
    record.answer?.status === 'not_found' &&
    nowMs <= Date.parse(record.deadline) + correctionHours * HOUR_MS
  );
}

/**
 * Whether the manifest now lists more batches for the request's window than the answer searched: the
 * manifest only grows, so more batches means some arrived after the answer. Costs one query per hour
 * of the window, no batch is read.
 */
export async function gainedBatches(
  request: TracebackRequest,
  answer: TracebackAnswer,
  manifest: ManifestReader,
  toleranceS?: number,
): Promise<boolean> {
  const candidates = await selectBatches(
    manifest,
    searchWindow(request.callMs, toleranceS),
    request.switchId,
  );
  return candidates.length > answer.searched.batches;
}

/**
 * One run of the scheduled check for late batches: every `not_found` answer still open to a correction
 * whose window gained batches goes back on the traceback queue, where intake searches it again. A
 * request sent twice (this run and the next, before intake got to it) is searched once: intake compares
 * the batches again.
 */
export async function requeueLateSearches(
  deps: { store: TracebackStore; manifest: ManifestReader; queue: TracebackQueue },
  nowMs: number,
  settings: { toleranceS?: number; correctionHours?: number } = {},
): Promise<string[]> {
  const correctionMs = (settings.correctionHours ?? DEFAULT_CORRECTION_HOURS) * HOUR_MS;
  const requeued: string[] = [];
  for (const record of await deps.store.listAnswered(isoUtc(nowMs - correctionMs), 'not_found')) {
    // a record stored before requests were kept cannot be searched again
    if (!record.request || !record.answer) continue;
    if (!mayResearch(record, nowMs, settings.correctionHours)) continue;
    const request = validateTracebackRequest(record.request, `stored ${record.tracebackId}`);
    if (!(await gainedBatches(request, record.answer, deps.manifest, settings.toleranceS))) continue;
    await deps.queue.send(record.request);
    requeued.push(record.tracebackId);
  }
  return requeued;
}
