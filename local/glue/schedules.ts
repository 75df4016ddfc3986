import { scheduledEvent } from '../../shared/schedule/scheduled-event.ts';
import { LOCAL_ACCOUNT } from '../template/resource-identity.ts';
import type { ScheduleSpec } from '../template/wiring.ts';
import type { LambdaRunner } from './lambda-runner.ts';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `rate(15 minutes)` -> 900000; cron() and anything else -> undefined (run on demand only). */
export function rateToMs(expression: string): number | undefined {
  const match = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2].replace(/s$/, '')];
}

/**
 * EventBridge schedules: `rate(...)` rules invoke their Lambda targets periodically (first run one
 * period after start, like EventBridge); `runNow` invokes a rule's targets at once for tests and
 * `npm start --once`. cron() expressions are only run on demand.
 */
export class ScheduleRunner {
  private timers: NodeJS.Timeout[] = [];
  private readonly specs: ScheduleSpec[];
  private readonly options: {
    lambda: LambdaRunner;
    region: string;
    onError(error: unknown): void;
    /** speeds schedules up in tests: period is divided by this */
    timeScale?: number;
  };

  constructor(specs: ScheduleSpec[], options: ScheduleRunner['options']) {
    this.specs = specs;
    this.options = options;
  }

  start(): void {
    for (const spec of this.specs) {
      const period = rateToMs(spec.expression);
      if (!spec.enabled || period === undefined) continue;
      const timer = setInterval(
        () => void this.run(spec).catch(this.options.onError),
        period / (this.options.timeScale ?? 1),
      );
      timer.unref();
      this.timers.push(timer);
    }
  }

  list(): ScheduleSpec[] {
    return this.specs;
  }

  /** Invokes the targets of the rule with this logical ID (or rule ARN) once, now. */
  async runNow(ruleIdOrArn: string): Promise<unknown[]> {
    const spec = this.specs.find((s) => s.logicalId === ruleIdOrArn || s.ruleArn === ruleIdOrArn);
    if (!spec) {
      throw new Error(
        `no schedule ${ruleIdOrArn}; schedules in the template: ${this.specs.map((s) => s.logicalId).join(', ') || 'none'}`,
      );
    }
    return this.run(spec);
  }

  private run(spec: ScheduleSpec): Promise<unknown[]> {
    return Promise.all(
      spec.targets.map((target) =>
        this.options.lambda.invoke(
          target.functionArn,
          target.input ??
            scheduledEvent({
              account: LOCAL_ACCOUNT,
              region: this.options.region,
              resources: [spec.ruleArn],
            }),
        ),
      ),
    );
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
