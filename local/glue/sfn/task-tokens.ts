import { randomBytes } from 'node:crypto';

/** An error whose `name` is the Step Functions error name (what Catch and Retry match on). */
export class StatesError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Why a callback could not be delivered, as the SFN API names it. */
export class TaskCallbackError extends Error {
  readonly code: 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidToken';
  constructor(code: TaskCallbackError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

interface Parked {
  executionArn: string;
  stateName: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timers: NodeJS.Timeout[];
  heartbeatSeconds?: number;
}

/**
 * Parks `.waitForTaskToken` tasks until SendTaskSuccess / SendTaskFailure, with TimeoutSeconds and
 * HeartbeatSeconds (the library knows neither callbacks nor heartbeats).
 */
export class TaskTokenRegistry {
  private readonly parked = new Map<string, Parked>();
  /** tokens that existed and ended (timed out or answered), to tell TaskTimedOut from InvalidToken */
  private readonly finished = new Map<string, 'timed-out' | 'closed'>();

  get waitingCount(): number {
    return this.parked.size;
  }

  newToken(): string {
    return randomBytes(48).toString('base64url');
  }

  /**
   * Waits for the callback on `token`; rejects with States.Timeout / States.HeartbeatTimeout.
   * `elapsedSeconds` is how long the task has waited already (a review restored after a restart keeps
   * the deadline counted from when it was requested, as in AWS).
   */
  park(
    token: string,
    task: { executionArn: string; stateName: string; timeoutSeconds: number; heartbeatSeconds?: number },
    elapsedSeconds = 0,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry: Parked = { ...task, resolve, reject, timers: [] };
      const expire = (name: string, message: string) => {
        this.close(token, 'timed-out');
        reject(new StatesError(name, message));
      };
      entry.timers.push(
        setTimeout(
          () => expire('States.Timeout', `no callback within ${task.timeoutSeconds} s`),
          Math.max(0, task.timeoutSeconds - elapsedSeconds) * 1000,
        ),
      );
      if (task.heartbeatSeconds !== undefined) {
        entry.timers.push(
          setTimeout(
            () => expire('States.HeartbeatTimeout', `no heartbeat within ${task.heartbeatSeconds} s`),
            task.heartbeatSeconds * 1000,
          ),
        );
      }
      this.parked.set(token, entry);
    });
  }

  private take(token: string): Parked {
    const entry = this.parked.get(token);
    if (entry) return entry;
    const ended = this.finished.get(token);
    if (ended === 'timed-out')
      throw new TaskCallbackError('TaskTimedOut', 'the task timed out before the callback');
    if (ended === 'closed') throw new TaskCallbackError('TaskDoesNotExist', 'the task already ended');
    throw new TaskCallbackError('InvalidToken', 'unknown task token');
  }

  private close(token: string, how: 'timed-out' | 'closed'): void {
    const entry = this.parked.get(token);
    if (entry) for (const timer of entry.timers) clearTimeout(timer);
    this.parked.delete(token);
    this.finished.set(token, how);
  }

  succeed(token: string, output: unknown): void {
    const entry = this.take(token);
    this.close(token, 'closed');
    entry.resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    const entry = this.take(token);
    this.close(token, 'closed');
    entry.reject(new StatesError(error, cause));
  }

  heartbeat(token: string): void {
    const entry = this.take(token);
    if (entry.heartbeatSeconds === undefined) return;
    const [timeout, heartbeat] = entry.timers;
    clearTimeout(heartbeat);
    entry.timers = [
      timeout,
      setTimeout(() => {
        this.close(token, 'timed-out');
        entry.reject(
          new StatesError('States.HeartbeatTimeout', `no heartbeat within ${entry.heartbeatSeconds} s`),
        );
      }, entry.heartbeatSeconds * 1000),
    ];
  }

  /** Ends every parked task of an execution (stopped or finished another way). */
  abandon(executionArn: string): void {
    for (const [token, entry] of this.parked) {
      if (entry.executionArn !== executionArn) continue;
      this.close(token, 'closed');
      entry.reject(new StatesError('States.Runtime', 'execution stopped'));
    }
  }

  /** Tokens waiting for a callback, per execution (tests and `traceguard cases` read them). */
  waiting(): Array<{ token: string; executionArn: string; stateName: string }> {
    return [...this.parked].map(([token, entry]) => ({
      token,
      executionArn: entry.executionArn,
      stateName: entry.stateName,
    }));
  }

  clear(): void {
    for (const token of [...this.parked.keys()]) this.close(token, 'closed');
  }
}
