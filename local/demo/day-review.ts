import type { DayReviewReport } from '../../shared/ingest/review-days.ts';
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
  const reviewed = report?.reviewed ?? [];
  const sum = (k: 'customers' | 'published' | 'left') => reviewed.reduce((n, d) => n + d[k], 0);
  const waiting = report?.waiting.length ? `; ${report.waiting.length} day(s) not over yet` : '';
  const left = sum('left') > 0 ? `; ${sum('left')} left for the next run` : '';
  return `traceguard: day review: ${sum('customers')} customer-day(s) over ${reviewed.length} day(s) judged whole, ${sum('published')} day finding(s) published${left}${waiting}`;
}
