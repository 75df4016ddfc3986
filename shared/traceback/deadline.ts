import { HOUR_MS } from '../cdr/time.ts';

/** Industry Traceback Group requests must be answered within 24 hours of receipt. */
export const DEFAULT_SLA_HOURS = 24;

export function deadlineMs(receivedMs: number, slaHours: number = DEFAULT_SLA_HOURS): number {
  return receivedMs + slaHours * HOUR_MS;
}
