import type { ScheduleRunner } from '../glue/schedules.ts';

/** What the review function answers (functions/track-record-review). */
interface ReviewResult {
  actions: Array<{ customer_id: string; action: string; why: string }>;
  skipped: Array<{ customer_id: string; status: string; why: string }>;
}

/**
 * Runs the daily track-record review once, as its EventBridge schedule would, and says what it did:
 * in a fresh demo nothing is due (probation takes 90 days), which is itself worth seeing.
 */
export async function runTrackRecordOnce(schedules: ScheduleRunner): Promise<string> {
  const rule = schedules.list().find((s) => s.logicalId.includes('TrackRecordSchedule'));
  if (!rule) return '';
  const [result] = (await schedules.runNow(rule.logicalId)) as ReviewResult[];
  const actions = result?.actions ?? [];
  const lines = ['', 'Track-record review (daily schedule, run once now):'];
  if (actions.length === 0)
    lines.push('  no tier change due (new customers: 90 clean days and 10,000 calls first)');
  for (const a of actions) lines.push(`  ${a.customer_id}: ${a.action} (${a.why})`);
  for (const s of result?.skipped ?? []) lines.push(`  ${s.customer_id}: skipped (${s.why})`);
  return `${lines.join('\n')}\n`;
}
