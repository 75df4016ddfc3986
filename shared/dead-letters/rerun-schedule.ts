import { type ScheduledEvent, scheduledEvent } from '../schedule/scheduled-event.ts';

/** A schedule's dead letters, received and hidden from anyone else while a redrive acts on them. */
export interface HeldDeadLetters {
  bodies: string[];
  /** the run made up for them */
  delete(): Promise<void>;
  /** the run failed: visible again at once, for the next redrive */
  release(): Promise<void>;
}

/** The port to a schedule's dead-letter queue. */
export interface ScheduleDeadLetters {
  /** every message in the queue, hidden for `seconds` */
  hold(seconds: number): Promise<HeldDeadLetters>;
}

/**
 * The port to a schedule's target: runs it once, now, and resolves once the run is started (a state
 * machine) or done (a function); rejects when it could not be started or failed. Resolves to what
 * names the run (an execution ARN, a request id).
 */
export interface ScheduleTargetRunner {
  run(target: string, event: ScheduledEvent): Promise<string>;
}

/** Longer than a redrive waits for a run: a Lambda function's longest, 15 minutes, and some. */
export const HOLD_SECONDS = 20 * 60;

export class RerunFailedError extends Error {
  override name = 'RerunFailedError';
}

/**
 * A schedule's dead letters are runs its target missed: ones EventBridge Scheduler could not start
 * (the audit export), or EventBridge could not deliver to a scheduled function. Each run handles
 * everything due up to its own time (the export copies the whole table; the day review, deadline
 * check, track-record review and reconciliation sweep look at all that is due now), so one run, now,
 * makes up for every missed one: it gets a fresh scheduled event, not a missed one, whose old time
 * would have the deadline check judge deadlines at a moment long past. The dead letters are deleted
 * once the run succeeds, and left for the next redrive when it fails.
 */
export async function rerunSchedule(
  deadLetters: ScheduleDeadLetters,
  runner: ScheduleTargetRunner,
  target: string,
  now: Date = new Date(),
): Promise<{ missed: number; run: string | null }> {
  const held = await deadLetters.hold(HOLD_SECONDS);
  if (held.bodies.length === 0) return { missed: 0, run: null };
  let run: string;
  try {
    run = await runner.run(target, scheduledEvent(sourceOf(target, held.bodies), now));
  } catch (error) {
    await held.release();
    throw new RerunFailedError(
      `running ${target} failed (${error instanceof Error ? error.message : String(error)}); its ${held.bodies.length} dead letter(s) are left in the queue for the next redrive`,
    );
  }
  await held.delete();
  return { missed: held.bodies.length, run };
}

/**
 * The account and region of the target's ARN, and the rules the missed events came from (a dead
 * letter from EventBridge is the event it could not deliver).
 */
function sourceOf(target: string, bodies: string[]) {
  const [, , , region = '', account = ''] = target.split(':');
  const rules = new Set<string>();
  for (const body of bodies) {
    try {
      const resources = (JSON.parse(body) as { resources?: unknown }).resources;
      if (Array.isArray(resources))
        for (const r of resources) if (typeof r === 'string' && r.includes(':rule/')) rules.add(r);
    } catch {
      // a body that is no event (Scheduler's report of a start it could not make) names no rule
    }
  }
  return { account, region, resources: [...rules] };
}
