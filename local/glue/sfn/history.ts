/** One event of GetExecutionHistory, in the SFN API shape (timestamps as Dates until serialized). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

type LibraryEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
};

const json = (value: unknown) => JSON.stringify(value ?? null);
const causeText = (cause: unknown) =>
  cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : JSON.stringify(cause ?? '');

/** Maps an aws-local-stepfunctions event log entry to the SFN history event type and details. */
export function historyEventOf(
  event: LibraryEvent,
): Omit<HistoryEvent, 'id' | 'previousEventId'> | undefined {
  const base = { timestamp: event.timestamp };
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        ...base,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input: json(event.input) },
      };
    case 'ExecutionSucceeded':
      return {
        ...base,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: json(event.output) },
      };
    case 'ExecutionFailed':
      return {
        ...base,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) },
      };
    case 'ExecutionAborted':
      return { ...base, type: 'ExecutionAborted', executionAbortedEventDetails: {} };
    case 'ExecutionTimeout':
      return { ...base, type: 'ExecutionTimedOut', executionTimedOutEventDetails: {} };
    case 'StateEntered':
      return {
        ...base,
        type: `${event.state?.type}StateEntered`,
        stateEnteredEventDetails: { name: event.state?.name, input: json(event.state?.input) },
      };
    case 'StateExited':
      return {
        ...base,
        type: `${event.state?.type}StateExited`,
        stateExitedEventDetails: { name: event.state?.name, output: json(event.state?.output) },
      };
    case 'StateFailed':
      return event.state?.type === 'Task'
        ? {
            ...base,
            type: 'TaskFailed',
            taskFailedEventDetails: {
              resourceType: 'local',
              resource: event.state.name,
              error: event.Error,
              cause: causeText(event.Cause),
            },
          }
        : undefined;
    default:
      return undefined;
  }
}
