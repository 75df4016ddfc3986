import { z } from 'zod';
import { ZoneClock } from '../cdr/time.ts';
import { parseEnvironment } from '../config/environment.ts';
import { DEFAULT_REPEAT_RULE, type RepeatRule } from './consequence.ts';
import { DEFAULT_SLA_HOURS } from './deadline.ts';
import { DEFAULT_LEAD_TIMES_MS } from './deadline-watch.ts';
import { DEFAULT_TOLERANCE_S } from './match.ts';
import { DEFAULT_CORRECTION_HOURS } from './research.ts';

/**
 * Traceback settings from the environment (all optional, defaults from the issue): tolerance for
 * clock skew, the answer deadline, on-call lead times, how long after the deadline a `not_found` answer
 * is still corrected by late batches, the repeat rule, and the zone of local times
 * in native-format batches.
 */
const envSchema = z.object({
  TRACEBACK_TOLERANCE_S: z.coerce.number().int().min(0).max(3600).default(DEFAULT_TOLERANCE_S),
  TRACEBACK_SLA_HOURS: z.coerce.number().positive().max(720).default(DEFAULT_SLA_HOURS),
  TRACEBACK_LEAD_MINUTES: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of minutes, e.g. 240,60')
    .default(DEFAULT_LEAD_TIMES_MS.map((ms) => ms / 60_000).join(',')),
  TRACEBACK_CORRECTION_HOURS: z.coerce.number().min(0).max(720).default(DEFAULT_CORRECTION_HOURS),
  TRACEBACK_REPEAT_COUNT: z.coerce.number().int().min(1).default(DEFAULT_REPEAT_RULE.repeatCount),
  TRACEBACK_REPEAT_DAYS: z.coerce.number().int().min(1).default(DEFAULT_REPEAT_RULE.windowDays),
  CDR_TIMEZONE: z.string().min(1).optional(),
});

export interface TracebackConfig {
  toleranceS: number;
  slaHours: number;
  leadTimesMs: number[];
  /** hours after the deadline a `not_found` answer is still searched again when late batches arrive */
  correctionHours: number;
  repeatRule: RepeatRule;
  zone: ZoneClock | null;
}

export function tracebackConfig(env: Record<string, string | undefined>): TracebackConfig {
  const c = parseEnvironment(envSchema, env, 'traceback');
  return {
    toleranceS: c.TRACEBACK_TOLERANCE_S,
    slaHours: c.TRACEBACK_SLA_HOURS,
    leadTimesMs: c.TRACEBACK_LEAD_MINUTES.split(',').map((m) => Number(m) * 60_000),
    correctionHours: c.TRACEBACK_CORRECTION_HOURS,
    repeatRule: { repeatCount: c.TRACEBACK_REPEAT_COUNT, windowDays: c.TRACEBACK_REPEAT_DAYS },
    zone: c.CDR_TIMEZONE ? new ZoneClock(c.CDR_TIMEZONE) : null,
  };
}
