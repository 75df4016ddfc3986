import { severityRank } from '../detect/finding.ts';
import type { TrackRecordActivity } from './track-record.ts';

/** A customer-hour as the review sees it: its calls and the highest severity published for it. */
export interface HourRecord {
  hourMs: number;
  attempts: number;
  /** rank of the highest severity published for the hour (severityRank), 0 = none */
  sev: number;
}

const HIGH = severityRank('high');

/**
 * What the track-record review needs to know of a customer since its tier clock started: how many
 * calls it sent, when it last had a `high` (or worse) finding, when a traceback last named it.
 */
export function activityFrom(
  hours: Iterable<HourRecord>,
  tracebacks: Iterable<{ answeredAt: string }>,
  sinceMs: number,
): TrackRecordActivity {
  let calls = 0;
  let lastHighMs: number | null = null;
  for (const h of hours) {
    if (h.hourMs < sinceMs) continue;
    calls += h.attempts;
    if (h.sev >= HIGH && (lastHighMs === null || h.hourMs > lastHighMs)) lastHighMs = h.hourMs;
  }
  let lastTraceback: string | null = null;
  for (const t of tracebacks)
    if (lastTraceback === null || Date.parse(t.answeredAt) > Date.parse(lastTraceback))
      lastTraceback = t.answeredAt;
  return {
    callsSinceTierStart: calls,
    lastHighFindingAt: lastHighMs === null ? null : new Date(lastHighMs).toISOString(),
    lastTracebackAt: lastTraceback,
  };
}
