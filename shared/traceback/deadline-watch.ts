import { HOUR_MS } from '../cdr/time.ts';

/** Warn on-call 4 hours before an answer is due by default, and again when it is overdue. */
export const DEFAULT_LEAD_TIMES_MS: readonly number[] = [4 * HOUR_MS];

export interface OpenTraceback {
  tracebackId: string;
  deadlineMs: number;
  alertsSent: readonly string[];
}

export interface DeadlineAlert {
  tracebackId: string;
  kind: 'warning' | 'breach';
  /** stable name of this alert, recorded on the request once sent (`warn-240m`, `breach`) */
  key: string;
  deadlineMs: number;
  /** ms until the deadline (negative once breached) */
  remainingMs: number;
}

export function warningKey(leadMs: number): string {
  return `warn-${Math.round(leadMs / 60_000)}m`;
}

/**
 * Which alerts to send now. A breached request gets one `breach` alert. Otherwise only the tightest
 * lead time already reached is sent (a request first seen 1 h before its deadline gets the 1 h
 * warning, not the 4 h one as well), and each key at most once.
 */
export function decideDeadlineAlerts(
  open: readonly OpenTraceback[],
  nowMs: number,
  leadTimesMs: readonly number[] = DEFAULT_LEAD_TIMES_MS,
): DeadlineAlert[] {
  const leads = [...leadTimesMs].sort((a, b) => a - b);
  const alerts: DeadlineAlert[] = [];
  for (const tb of open) {
    const remainingMs = tb.deadlineMs - nowMs;
    const sent = new Set(tb.alertsSent);
    if (remainingMs <= 0) {
      if (!sent.has('breach'))
        alerts.push({
          tracebackId: tb.tracebackId,
          kind: 'breach',
          key: 'breach',
          deadlineMs: tb.deadlineMs,
          remainingMs,
        });
      continue;
    }
    const reached = leads.find((lead) => remainingMs <= lead);
    if (reached === undefined) continue;
    // a tighter warning already sent covers the looser ones
    if (leads.some((lead) => lead <= reached && sent.has(warningKey(lead)))) continue;
    alerts.push({
      tracebackId: tb.tracebackId,
      kind: 'warning',
      key: warningKey(reached),
      deadlineMs: tb.deadlineMs,
      remainingMs,
    });
  }
  return alerts.sort((a, b) => a.deadlineMs - b.deadlineMs);
}

/** `3h 12m left`, `overdue by 25m`: for humans, on-call messages and `traceback list`. */
export function describeRemaining(remainingMs: number): string {
  const abs = Math.abs(remainingMs);
  const h = Math.floor(abs / HOUR_MS);
  const m = Math.floor((abs % HOUR_MS) / 60_000);
  const text = h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m`;
  return remainingMs >= 0 ? `${text} left` : `overdue by ${text}`;
}
