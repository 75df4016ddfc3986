import type { HandlerFailure } from './handler-failure.ts';
import { LambdaInvocationError } from './lambda-runner.ts';

/** The error's name at the head of a record's reason (`IdempotencyAlreadyInProgressError: ...`). */
export function errorKind(reason: string): string {
  return /^([A-Za-z_$][\w.$]*):/.exec(reason)?.[1] ?? 'Error';
}

/** Each message of a failure with the kind of its own error: its record's when the handler said it. */
export function failedKinds(failure: HandlerFailure): Array<{ messageId: string; kind: string }> {
  const { cause, messages } = failure;
  const perRecord = cause instanceof LambdaInvocationError && cause.recordErrors.length === messages.length;
  return messages.map((m, i) => ({
    messageId: m.messageId,
    kind: perRecord ? errorKind(cause.recordErrors[i]) : failure.name,
  }));
}

export interface FailingGroup {
  functionName: string;
  kind: string;
  messages: number;
  /** the function's timeout: an in-progress idempotency record of a killed run expires after it */
  timeoutSeconds: number;
}

/**
 * The messages whose last delivery failed in this run, by function and error kind, until a later
 * delivery deletes them: what the wait for SQS retries is made of, for one line per kind rather than
 * one per message.
 */
export class FailingMessages {
  private readonly byMessage = new Map<string, Omit<FailingGroup, 'messages'>>();

  failed(failure: HandlerFailure, timeoutSeconds: number): void {
    for (const { messageId, kind } of failedKinds(failure))
      this.byMessage.set(messageId, { functionName: failure.functionName, kind, timeoutSeconds });
  }

  deleted(messageIds: Iterable<string>): void {
    for (const id of messageIds) this.byMessage.delete(id);
  }

  /** most messages first */
  groups(): FailingGroup[] {
    const groups = new Map<string, FailingGroup>();
    for (const entry of this.byMessage.values()) {
      const key = `${entry.functionName}\u0000${entry.kind}`;
      const group = groups.get(key) ?? { ...entry, messages: 0 };
      group.messages++;
      groups.set(key, group);
    }
    return [...groups.values()].sort((a, b) => b.messages - a.messages);
  }
}

/**
 * One line per function and error kind for the messages that wait for a retry, and for those that
 * failed before this start (their errors are in the log of that run), so each failing handler is named.
 */
export function failingLines(groups: readonly FailingGroup[], waiting: number): string[] {
  const lines = groups.map((g) => {
    const line = `${g.functionName}: ${g.messages} message(s) failed with ${g.kind}`;
    if (g.kind !== 'IdempotencyAlreadyInProgressError') return line;
    // the record Powertools keeps while a message is handled; a killed run never completes it
    return (
      `${line}: expected after a crash or a kill -9, the killed run left these messages' idempotency ` +
      `records in progress; each expires at that run's deadline (the function's timeout, ${g.timeoutSeconds} s) ` +
      `and the retry after the queue's visibility timeout handles the message`
    );
  });
  const named = groups.reduce((n, g) => n + g.messages, 0);
  if (waiting > named)
    lines.push(
      `${waiting - named} message(s) in flight with no failure seen by this run (delivered before this start)`,
    );
  return lines;
}
