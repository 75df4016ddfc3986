import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { BasePartialBatchProcessor } from '@aws-lambda-powertools/batch';
import { errorInFull } from './error-chain.ts';
import { isMiddyTimeout, timedOutMessage } from './timed-out.ts';

/**
 * One Lambda "sandbox": a worker thread with the function's own process.env (handlers read their
 * configuration at module load), running the handler module from the repo, one module instance per
 * sandbox like a warm Lambda container, one invocation at a time (the runner starts another sandbox
 * for a concurrent call).
 */
interface WorkerSetup {
  entryPath: string;
  handlerExport: string;
  functionName: string;
  functionArn: string;
  timeoutSeconds: number;
  memorySizeMb: number;
}

interface InvokeRequest {
  id: number;
  event: unknown;
  requestId: string;
}

const setup = workerData as WorkerSetup;
let handlerPromise: Promise<(event: unknown, context: unknown) => unknown> | undefined;

function loadHandler() {
  handlerPromise ??= import(pathToFileURL(setup.entryPath).href).then((module) => {
    const handler = module[setup.handlerExport];
    if (typeof handler !== 'function') {
      throw new Error(`${setup.entryPath} does not export a function named ${setup.handlerExport}`);
    }
    return handler;
  });
  return handlerPromise;
}

function lambdaContext(requestId: string) {
  const deadline = Date.now() + setup.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: setup.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: setup.functionArn,
    memoryLimitInMB: String(setup.memorySizeMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${setup.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Each SQS record a Powertools batch processor failed in the running invocation, with its error
 * (`name: message`): a handler that returns batchItemFailures keeps the errors to itself, so nothing
 * outside could say why a message came back. A sandbox runs one invocation at a time, so one list.
 */
let recordFailures: Array<{ messageId: string; reason: string }> = [];
const failureHandler = BasePartialBatchProcessor.prototype.failureHandler;
BasePartialBatchProcessor.prototype.failureHandler = function (
  this: BasePartialBatchProcessor,
  record: Parameters<typeof failureHandler>[0],
  error: Error,
) {
  const messageId = (record as { messageId?: unknown }).messageId;
  if (typeof messageId === 'string')
    recordFailures.push({ messageId, reason: `${error.name}: ${error.message}` });
  return failureHandler.call(this, record, error);
};

parentPort?.on('message', async (request: InvokeRequest) => {
  recordFailures = [];
  try {
    const handler = await loadHandler();
    const result = await handler(request.event, lambdaContext(request.requestId));
    parentPort?.postMessage({
      id: request.id,
      ok: true,
      result: result === undefined ? null : result,
      recordFailures,
    });
  } catch (error) {
    const thrown = error instanceof Error ? error : new Error(String(error));
    // middy's early timeout says "[AbortError]: The operation was aborted.": name it a timeout, with it as the cause
    const failure = isMiddyTimeout(thrown)
      ? Object.assign(new Error(timedOutMessage(setup.timeoutSeconds), { cause: thrown }), {
          name: 'TimeoutError',
        })
      : thrown;
    // Powertools' FullBatchFailureError carries each record's error; Lambda's log would show them
    const recordErrors = (failure as { recordErrors?: unknown[] }).recordErrors ?? [];
    const causes = recordErrors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    parentPort?.postMessage({
      id: request.id,
      ok: false,
      error: {
        errorType: failure.name,
        errorMessage: causes.length ? `${failure.message} ${causes.join(' | ')}` : failure.message,
        // with what it carries (causes, each record's error), which the local runtime log keeps
        stack: errorInFull(failure),
        // apart as well, so the terminal can name each record's reason whole
        recordErrors: causes,
      },
    });
  }
});
