/**
 * How the local runtime names a handler that ran out of time, whichever saw it first: the sandbox's
 * own timer (Lambda's `Task timed out after N seconds`) or middy, which ends the handler a few
 * milliseconds before the deadline with `TimeoutError: [AbortError]: The operation was aborted.`,
 * a line that does not say it was a timeout.
 */
export function timedOutMessage(timeoutSeconds: number): string {
  return `timed out after ${timeoutSeconds} s (the function's timeout)`;
}

/** Whether a handler's error is middy's early timeout (its timeoutEarlyResponse). */
export function isMiddyTimeout(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TimeoutError') return false;
  const cause = error.cause as { package?: unknown } | undefined;
  return typeof cause === 'object' && cause !== null && cause.package === '@middy/core';
}
