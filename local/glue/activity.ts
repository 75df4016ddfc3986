/**
 * Counts the work the glue has started and not finished (handler invocations, S3 deliveries, running
 * executions), so `waitForIdle` can tell "nothing in flight" from "between two steps".
 */
export class ActivityTracker {
  private running = 0;
  private listeners = new Set<() => void>();

  get busy(): boolean {
    return this.running > 0;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) for (const listener of this.listeners) listener();
    }
  }

  /** begin/end pair for work that is not one promise */
  begin(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running--;
      if (this.running === 0) for (const listener of this.listeners) listener();
    };
  }
}
