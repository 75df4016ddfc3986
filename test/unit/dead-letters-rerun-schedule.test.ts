import { describe, expect, it } from 'vitest';
import {
  HOLD_SECONDS,
  RerunFailedError,
  rerunSchedule,
  type ScheduleDeadLetters,
  type ScheduleTargetRunner,
} from '../../shared/dead-letters/rerun-schedule.ts';
import type { ScheduledEvent } from '../../shared/schedule/scheduled-event.ts';

/**
 * A scheduled function's dead letters are runs EventBridge could not deliver: a redrive runs the
 * function once, now, with a fresh scheduled event (the deadline check judges by its `time`), and
 * deletes them only once that run succeeded.
 */
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:Traceguard-prod-TracebackDeadlineFunction';
const RULE = 'arn:aws:events:us-east-1:123456789012:rule/Traceguard-prod-DeadlineSchedule';
const missedAt = (time: string) =>
  JSON.stringify({
    version: '0',
    id: `old-${time}`,
    'detail-type': 'Scheduled Event',
    time,
    resources: [RULE],
  });

function fakeQueue(bodies: string[]) {
  const calls: string[] = [];
  const queue: ScheduleDeadLetters = {
    async hold(seconds) {
      calls.push(`hold ${seconds}`);
      return {
        bodies,
        delete: async () => void calls.push('delete'),
        release: async () => void calls.push('release'),
      };
    },
  };
  return { queue, calls };
}

describe('rerunSchedule', () => {
  const now = new Date('2026-11-27T18:03:07.250Z');

  it('runs the target once with a fresh event timed now, then deletes the dead letters', async () => {
    const { queue, calls } = fakeQueue([missedAt('2026-11-27T16:15:00Z'), missedAt('2026-11-27T16:30:00Z')]);
    const events: ScheduledEvent[] = [];
    const runner: ScheduleTargetRunner = {
      run: async (target, event) => {
        calls.push(`run ${target}`);
        events.push(event);
        return 'request r-1';
      },
    };
    expect(await rerunSchedule(queue, runner, FUNCTION, now)).toEqual({ missed: 2, run: 'request r-1' });
    expect(calls).toEqual([`hold ${HOLD_SECONDS}`, `run ${FUNCTION}`, 'delete']);
    expect(events).toEqual([
      {
        version: '0',
        id: expect.any(String),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: '2026-11-27T18:03:07Z',
        region: 'us-east-1',
        resources: [RULE],
        detail: {},
      },
    ]);
    expect(events[0].id).not.toMatch(/^old-/);
    // held longer than the longest run a redrive waits for
    expect(HOLD_SECONDS).toBeGreaterThan(15 * 60);
  });

  it('leaves the dead letters in the queue when the run fails, saying so', async () => {
    const { queue, calls } = fakeQueue([missedAt('2026-11-27T16:15:00Z')]);
    const runner: ScheduleTargetRunner = {
      run: async () => Promise.reject(new Error('the function failed: Error: table not found')),
    };
    const rerun = rerunSchedule(queue, runner, FUNCTION, now);
    await expect(rerun).rejects.toThrow(RerunFailedError);
    await expect(rerun).rejects.toThrow(
      `running ${FUNCTION} failed (the function failed: Error: table not found); its 1 dead letter(s) are left in the queue for the next redrive`,
    );
    expect(calls).toEqual([`hold ${HOLD_SECONDS}`, 'release']);
  });

  it('runs nothing for an empty queue', async () => {
    const { queue, calls } = fakeQueue([]);
    const runner: ScheduleTargetRunner = { run: async () => Promise.reject(new Error('not expected')) };
    expect(await rerunSchedule(queue, runner, FUNCTION, now)).toEqual({ missed: 0, run: null });
    expect(calls).toEqual([`hold ${HOLD_SECONDS}`]);
  });

  it("names no rule for Scheduler's report of a start it could not make", async () => {
    const { queue } = fakeQueue(['not an event']);
    const events: ScheduledEvent[] = [];
    const runner: ScheduleTargetRunner = {
      run: async (_target, event) => {
        events.push(event);
        return 'ok';
      },
    };
    await rerunSchedule(queue, runner, FUNCTION, now);
    expect(events[0].resources).toEqual([]);
  });
});
