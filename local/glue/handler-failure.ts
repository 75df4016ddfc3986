import { parseIngestMessage } from '../../shared/ingest/messages.ts';
import { failureReasons, LambdaInvocationError } from './lambda-runner.ts';

/** One message of a failed batch: its id and, for an S3 event or a continuation, the object key(s). */
export interface FailedMessage {
  messageId: string;
  keys: string[];
}

/** The object keys an ingest message names (S3 event or continuation); none for any other body. */
export function messageKeys(body: string): string[] {
  try {
    const message = parseIngestMessage(body);
    return message.kind === 'jobs' ? message.jobs.map((job) => job.key) : [];
  } catch {
    return [];
  }
}

function label(message: FailedMessage): string {
  return `message ${message.messageId}${message.keys.length ? ` (${message.keys.join(', ')})` : ''}`;
}

/**
 * A handler that failed a batch, named by function and by the messages it was given: an error out
 * of the handler (a timeout, a crash, an abort) does not say which function or message it was, and
 * a timed-out handler never writes its own failure line, so a person could not tell what to look at.
 */
export class HandlerFailure extends Error {
  readonly functionName: string;
  readonly messages: readonly FailedMessage[];
  override readonly cause: unknown;

  constructor(functionName: string, messages: readonly FailedMessage[], cause: unknown) {
    const where = `${functionName} on ${messages.map(label).join(', ')}`;
    const inner = cause instanceof Error ? cause : new Error(String(cause));
    super(`${where}: ${inner.message}`);
    this.name = inner.name;
    this.functionName = functionName;
    this.messages = messages;
    this.cause = cause;
    // the log keeps the handler's own stack, under a first line that names the function and messages
    this.stack = `${where}: ${inner.stack ?? `${inner.name}: ${inner.message}`}`;
  }
}

/**
 * Why a handler failed, one whole line per reason (failureReasons), each naming the function and
 * the message: a batch whose every record failed gives each record's reason with its own message
 * (they come in the batch's order); any other failure names every message of the batch.
 */
export function handlerFailureReasons(error: unknown): string[] {
  if (!(error instanceof HandlerFailure)) return failureReasons(error);
  const reasons = failureReasons(error.cause);
  const perRecord =
    error.cause instanceof LambdaInvocationError &&
    error.cause.recordErrors.length === error.messages.length &&
    reasons.length === error.messages.length;
  if (perRecord)
    return reasons.map((reason, i) => `${error.functionName} on ${label(error.messages[i])}: ${reason}`);
  const where = `${error.functionName} on ${error.messages.map(label).join(', ')}`;
  return reasons.map((reason) => `${where}: ${reason}`);
}
