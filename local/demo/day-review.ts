import { type DayReviewReport, dayReviewSummary } from '../../shared/ingest/review-days.ts';
import type { ScheduleRunner } from '../glue/schedules.ts';

/**
 * Runs the day review once, as its hourly EventBridge schedule would once the days are over, and says
 * what it judged: the sample's days ended long ago, so every customer's day is judged on all of its
 * hours, whatever order the batches came in.
 */
export async function runDayReviewOnce(schedules: ScheduleRunner): Promise<string> {
  const rule = schedules.list().find((s) => s.logicalId.includes('DayReviewSchedule'));
  if (!rule) return 'traceguard: no day review in the template';
  const [report] = (await schedules.runNow(rule.logicalId)) as DayReviewReport[];
  return `traceguard: day review: ${dayReviewSummary(report ?? { reviewed: [], held: [], waiting: [] })}`;
}
