import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ExecutionRecord, SfnApiError, type StepFunctionsEngine } from './engine.ts';
import { TaskCallbackError, type TaskTokenRegistry } from './task-tokens.ts';

/** The JSON 1.0 protocol writes timestamps as epoch seconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function summary(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
  };
}

function requireString(body: Record<string, unknown>, field: string, action: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnApiError('ValidationException', `${action}: ${field} is required and must be a string`);
  }
  return value;
}

/** Pages a list with the SFN `maxResults` / `nextToken` convention (the token is an offset). */
function page<T>(items: T[], body: Record<string, unknown>) {
  const start = Number(body.nextToken ?? 0);
  const size = Number(body.maxResults ?? 0) || 1000;
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { slice, nextToken: next };
}

type Handler = (body: Record<string, unknown>) => unknown;

function actions(engineOf: () => StepFunctionsEngine, tokens: TaskTokenRegistry): Record<string, Handler> {
  const engine = new Proxy({} as StepFunctionsEngine, {
    get: (_target, property) => {
      const current = engineOf() as unknown as Record<string | symbol, unknown>;
      const value = current[property];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  const callback = (work: () => void) => {
    try {
      work();
      return {};
    } catch (error) {
      if (error instanceof TaskCallbackError) throw new SfnApiError(error.code, error.message);
      throw error;
    }
  };
  return {
    StartExecution: (body) => {
      const record = engine.startExecution(
        requireString(body, 'stateMachineArn', 'StartExecution'),
        body.name as string | undefined,
        body.input as string | undefined,
      );
      return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
    },
    DescribeExecution: (body) => {
      const record = engine.describe(requireString(body, 'executionArn', 'DescribeExecution'));
      return {
        ...summary(record),
        input: record.input,
        output: record.output,
        error: record.error,
        cause: record.cause,
      };
    },
    ListExecutions: (body) => {
      const records = engine.list(
        requireString(body, 'stateMachineArn', 'ListExecutions'),
        body.statusFilter as string | undefined,
      );
      const { slice, nextToken } = page(records, body);
      return { executions: slice.map(summary), nextToken };
    },
    GetExecutionHistory: (body) => {
      const record = engine.describe(requireString(body, 'executionArn', 'GetExecutionHistory'));
      const events = body.reverseOrder ? [...record.history].reverse() : record.history;
      const { slice, nextToken } = page(events, body);
      return { events: slice.map((event) => ({ ...event, timestamp: seconds(event.timestamp) })), nextToken };
    },
    StopExecution: (body) => {
      const record = engine.stop(
        requireString(body, 'executionArn', 'StopExecution'),
        body.error as string | undefined,
        body.cause as string | undefined,
      );
      return { stopDate: seconds(record.stopDate ?? Date.now()) };
    },
    SendTaskSuccess: (body) => {
      const token = requireString(body, 'taskToken', 'SendTaskSuccess');
      const text = requireString(body, 'output', 'SendTaskSuccess');
      let output: unknown;
      try {
        output = JSON.parse(text);
      } catch {
        throw new SfnApiError('InvalidOutput', 'SendTaskSuccess: output is not JSON');
      }
      return callback(() => tokens.succeed(token, output));
    },
    SendTaskFailure: (body) => {
      const token = requireString(body, 'taskToken', 'SendTaskFailure');
      return callback(() => tokens.fail(token, String(body.error ?? ''), String(body.cause ?? '')));
    },
    SendTaskHeartbeat: (body) =>
      callback(() => tokens.heartbeat(requireString(body, 'taskToken', 'SendTaskHeartbeat'))),
    ListStateMachines: () => ({
      stateMachines: engine.stateMachines().map((spec) => ({
        stateMachineArn: spec.arn,
        name: spec.name,
        type: 'STANDARD',
        creationDate: 0,
      })),
    }),
    DescribeStateMachine: (body) => {
      const arn = requireString(body, 'stateMachineArn', 'DescribeStateMachine');
      const spec = engine.stateMachines().find((machine) => machine.arn === arn);
      if (!spec) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return {
        stateMachineArn: spec.arn,
        name: spec.name,
        status: 'ACTIVE',
        definition: JSON.stringify(spec.definition),
        roleArn: `arn:aws:iam::000000000000:role/${spec.name}Role`,
        type: 'STANDARD',
        creationDate: 0,
      };
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown, errorType?: string) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}

export interface SfnEndpoint {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A small HTTP server speaking the AWS JSON 1.0 protocol of Step Functions (`X-Amz-Target:
 * AWSStepFunctions.<Action>`), enough for `@aws-sdk/client-sfn` with `endpoint` set, the CLI and the
 * handlers that call StartExecution or SendTaskSuccess.
 */
/** `engineOf` is read per request: the endpoint URL must exist before the engine (handlers need it). */
export async function startSfnEndpoint(
  engineOf: () => StepFunctionsEngine,
  tokens: TaskTokenRegistry,
): Promise<SfnEndpoint> {
  const handlers = actions(engineOf, tokens);
  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.replace(/^AWSStepFunctions\./, '');
    try {
      const text = await readBody(request);
      const handler = handlers[action];
      if (request.method !== 'POST' || !handler) {
        reply(response, 400, {
          __type: 'UnknownOperationException',
          message: `unsupported: ${target || request.url}`,
        });
        return;
      }
      reply(response, 200, handler(text ? JSON.parse(text) : {}) ?? {});
    } catch (error) {
      if (error instanceof SfnApiError) {
        reply(response, 400, { __type: error.code, message: error.message }, error.code);
        return;
      }
      reply(response, 500, { __type: 'InternalFailure', message: String(error) }, 'InternalFailure');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
