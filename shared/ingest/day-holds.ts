import { HOUR_MS } from '../cdr/time.ts';
import { DAY_MS } from '../detect/day-window.ts';
import { isDeadLettered, isDeliveryFailure } from './delivery-failure-reason.ts';
import type { ManifestStore, UnfinishedBatch } from './ports.ts';

/**
 * Which batches a day's review waits for (review-days.ts): the batches not done yet that may hold
 * calls of the day. A day judged while one of them is still being read, or waits for SQS to deliver
 * it again, is judged on part of it.
 */

/** Where an unfinished batch stands, from its manifest failure (delivery-failure-reason.ts). */
export type UnfinishedState = 'in progress' | 'awaiting a retry' | 'in the dead-letter queue' | 'unreadable';

/** A batch a day waits for, or was judged without. */
export interface MissingBatch {
  batchId: string;
  state: UnfinishedState;
}

export function unfinishedState(failure: string | null): UnfinishedState {
  // no failure recorded: being read, or its delivery ended without a word (a crash) and SQS delivers it again
  if (failure === null) return 'in progress';
  if (isDeadLettered(failure)) return 'in the dead-letter queue';
  return isDeliveryFailure(failure) ? 'awaiting a retry' : 'unreadable';
}

/**
 * How long a batch's first delivery may read before it records its first part: the ingest function's
 * timeout (infra INGEST_TIMEOUT). A batch begun less long ago with nothing read is being read now.
 */
export const FIRST_READ_MS = 300_000;

/**
 * Whether an unfinished batch may hold calls of the UTC day from `dayMs`: once its last part was
 * read, its parts' calls say which days it holds; until then its unread rows may be of any day that
 * began before the batch did (no call is later than its upload). A batch its first delivery is still
 * reading holds none yet: under steady uploads one always is, and would hold every day without end;
 * if it holds calls of a day judged meanwhile, it notes the day again and the next run judges it again.
 */
export function mayHoldDay(batch: UnfinishedBatch, dayMs: number, nowMs: number): boolean {
  const parts = Object.values(batch.parts);
  if (parts.length === 0 && nowMs - batch.startedMs < FIRST_READ_MS) return false;
  if (!parts.some((p) => p.final)) return batch.startedMs >= dayMs;
  const first = Math.min(...parts.map((p) => p.firstMs ?? Number.POSITIVE_INFINITY));
  const last = Math.max(...parts.map((p) => p.lastMs ?? Number.NEGATIVE_INFINITY));
  return first < dayMs + DAY_MS && last >= dayMs;
}

/** What holds a day back: the batches not done that may hold its calls, and until when they hold it. */
export interface DayHold {
  batches: MissingBatch[];
  /** when the last of them stops holding the day (null: none does); judged then, without them */
  untilMs: number | null;
}

/**
 * The unfinished batches that may hold calls of the day from `dayMs`, due for review at `dueMs`
 * (its end and grace). Each holds it `holdMs` past that, or past its own begin for a batch begun
 * later (a late upload of the day gets as long to finish), and no longer: one that is not done by
 * then waits for an operator. Read: the batches begun from the day's start to the end of its own
 * hold, where those past their hold are found to be named, and those begun within `holdMs` of now,
 * which may still hold it: at most 24 h plus grace plus twice the hold of hours, whatever the day's age.
 */
export async function dayHold(
  manifest: Pick<ManifestStore, 'unfinishedBegun'>,
  day: { dayMs: number; dueMs: number; holdMs: number },
  nowMs: number,
): Promise<DayHold> {
  const ownHoldEndMs = Math.min(nowMs, day.dueMs + day.holdMs);
  const recentMs = Math.max(day.dayMs, nowMs - day.holdMs);
  const spans: Array<[number, number]> =
    recentMs <= ownHoldEndMs + HOUR_MS
      ? [[day.dayMs, nowMs]]
      : [
          [day.dayMs, ownHoldEndMs],
          [recentMs, nowMs],
        ];
  const found = new Map<string, UnfinishedBatch>();
  for (const [from, to] of spans)
    for (const b of await manifest.unfinishedBegun(from, to)) found.set(b.batchId, b);
  const mayHold = [...found.values()].filter((b) => mayHoldDay(b, day.dayMs, nowMs));
  const holdEnds = mayHold.map((b) => Math.max(day.dueMs, b.startedMs) + day.holdMs);
  const untilMs = holdEnds.length ? Math.max(...holdEnds) : null;
  return {
    batches: mayHold.map((b) => ({ batchId: b.batchId, state: unfinishedState(b.failure) })),
    untilMs,
  };
}

/** `<batchId> (<state>)` for the first few batches, and how many more: for a one-line summary. */
export function missingBatchesText(batches: MissingBatch[], shown = 3): string {
  const named = batches.slice(0, shown).map((b) => `${b.batchId} (${b.state})`);
  const more = batches.length > shown ? ` and ${batches.length - shown} more` : '';
  return `${named.join(', ')}${more}`;
}

/** Each batch once (a batch may hold calls of several days), as first listed. */
export function distinctBatches(batches: MissingBatch[]): MissingBatch[] {
  return [...new Map(batches.map((b) => [b.batchId, b] as const)).values()];
}
