import { DEFAULT_LEAD_TIMES_MS, type DeadlineAlert, decideDeadlineAlerts } from './deadline-watch.ts';
import type { DeadlineNotifier, TracebackStore } from './ports.ts';

export interface WatchResult {
  open: number;
  /** open, not yet due, within the longest lead time */
  nearDeadline: number;
  breached: number;
  sent: DeadlineAlert[];
}

/**
 * One run of the deadline watcher. Each alert is recorded on the request before it is sent, so two
 * overlapping runs cannot both send it; a send that fails un-records nothing and is not retried by the
 * next run (on-call also sees the metric and the queue's DLQ alarm), which is the safer failure for a
 * pager than a storm of duplicates.
 */
export async function watchDeadlines(
  deps: { store: TracebackStore; notifier: DeadlineNotifier },
  nowMs: number,
  leadTimesMs: readonly number[] = DEFAULT_LEAD_TIMES_MS,
): Promise<WatchResult> {
  const open = await deps.store.listOpen();
  const byId = new Map(open.map((r) => [r.tracebackId, r]));
  const longestLead = Math.max(0, ...leadTimesMs);
  let nearDeadline = 0;
  let breached = 0;
  for (const r of open) {
    const remaining = Date.parse(r.deadline) - nowMs;
    if (remaining <= 0) breached++;
    else if (remaining <= longestLead) nearDeadline++;
  }
  const alerts = decideDeadlineAlerts(
    open.map((r) => ({
      tracebackId: r.tracebackId,
      deadlineMs: Date.parse(r.deadline),
      alertsSent: r.alertsSent,
    })),
    nowMs,
    leadTimesMs,
  );
  const sent: DeadlineAlert[] = [];
  for (const alert of alerts) {
    if (!(await deps.store.markAlertSent(alert.tracebackId, alert.key))) continue;
    const record = byId.get(alert.tracebackId);
    if (record) await deps.notifier.alert(alert, record);
    sent.push(alert);
  }
  return { open: open.length, nearDeadline, breached, sent };
}
