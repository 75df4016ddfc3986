import type { Command } from 'commander';
import { targetConfig, wholeSeconds } from './options.ts';

interface DayReviewCliOptions {
  grace?: string;
  hold?: string;
  json?: boolean;
}

/**
 * `traceguard day-review`: the hourly day review, run now from this shell with the same code and
 * settings (AWS, or the local stack through `.data/endpoints.json`): after a switch's late upload, its
 * days are judged whole without waiting for the schedule. No time limit binds it here, so it does not
 * leave customers for a next run.
 */
async function dayReview(opts: DayReviewCliOptions): Promise<void> {
  const grace = wholeSeconds('--grace', opts.grace);
  const hold = wholeSeconds('--hold', opts.hold);
  const { dayReviewPortsOf, readDayReviewConfig } = await import('../shared/aws/day-review-config.ts');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { dayReviewSummary, reviewDays } = await import('../shared/ingest/review-days.ts');
  const { missingBatchesText } = await import('../shared/ingest/day-holds.ts');
  const config = await targetConfig(readDayReviewConfig);
  const graceMs = (grace ?? config.REVIEW_GRACE_SECONDS) * 1000;
  const startedMs = Date.now();
  const report = await reviewDays({
    ...dayReviewPortsOf(createAwsClients(), config),
    clock: { now: Date.now, remainingMs: () => Number.POSITIVE_INFINITY },
    graceMs,
    holdMs: (hold ?? config.REVIEW_HOLD_SECONDS) * 1000,
    parallel: config.REVIEW_PARALLELISM,
    marginMs: 0,
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const d of report.reviewed) {
    // batches that may hold calls of the day, still not done when its hold ended
    const without = d.missing.length
      ? `; judged without ${d.missing.length} batch(es) not done: ${missingBatchesText(d.missing, d.missing.length)}`
      : '';
    process.stdout.write(
      `${d.day}  ${d.customers} customer(s) judged, ${d.published} day finding(s) published${without}\n`,
    );
  }
  for (const d of report.held)
    process.stdout.write(
      `${d.day}  held: waits for ${d.batches.length} batch(es) not done yet, ${missingBatchesText(d.batches, d.batches.length)}; judged once they are done, or from ${d.until} without them\n`,
    );
  for (const day of report.waiting) process.stdout.write(`${day}  ${waitingLine(day, startedMs, graceMs)}\n`);
  process.stdout.write(`${dayReviewSummary(report)}\n`);
}

/** Why a noted day waits: it has not ended, or it ended and late batches may still come (its grace). */
export function waitingLine(day: string, nowMs: number, graceMs: number): string {
  const endMs = Date.parse(day) + 24 * 3_600_000;
  const from = new Date(endMs + graceMs).toISOString().replace('.000Z', 'Z');
  return nowMs < endMs
    ? `not over yet (judged from ${from}, after its grace)`
    : `over, waiting out its grace for late batches (judged from ${from})`;
}

export function register(program: Command): void {
  program
    .command('day-review')
    .description(
      "Judge each customer's UTC day as a whole now, as the hourly schedule would (days noted by ingest, once over)",
    )
    .option(
      '--grace <seconds>',
      'how long after a day ends before it is judged (default: the deployed setting)',
    )
    .option(
      '--hold <seconds>',
      "how long past its grace, or a later batch's begin, a day waits for batches not done yet (default: the deployed setting)",
    )
    .option('--json', 'print the report as JSON')
    .action((opts: DayReviewCliOptions) => dayReview(opts));
}
