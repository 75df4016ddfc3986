import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalFunctionSpec } from '../template/wiring.ts';
import type { ActivityTracker } from './activity.ts';
import { timedOutMessage } from './timed-out.ts';

/** A handler error as Lambda reports it (FunctionError payload). */
export class LambdaInvocationError extends Error {
  readonly errorType: string;
  /** each failed record's error (`name: message`) when the handler failed the whole batch */
  readonly recordErrors: readonly string[];
  constructor(errorType: string, message: string, stack?: string, recordErrors: readonly string[] = []) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
    this.recordErrors = recordErrors;
    // keep the handler's frames, under this error's own (possibly richer) message
    if (stack) this.stack = `${errorType}: ${message}\n${stack.split('\n').slice(1).join('\n')}`;
  }
}

/**
 * Why a handler failed, one whole line per reason: each failed record's error when the handler failed
 * its whole batch (Powertools' own message, "All records failed processing. See individual errors
 * below.", says nothing on a terminal), else the error's message. Line breaks become spaces.
 */
export function failureReasons(error: unknown): string[] {
  const records = error instanceof LambdaInvocationError ? error.recordErrors : [];
  const reasons = records.length > 0 ? records : [error instanceof Error ? error.message : String(error)];
  return reasons.map((reason) => reason.replace(/\s*\n\s*/g, ' ').trim());
}

/**
 * The name of each function's log file (logical id -> name): its handler's folder under functions/
 * (`ingest`, `review-days`), as a person calls the function, rather than its CDK logical id
 * (`StatelessIngestIngestFunction52A24CEF`); the logical id when two functions share that folder.
 */
export function logNames(functions: readonly LocalFunctionSpec[]): Map<string, string> {
  const folderOf = (spec: LocalFunctionSpec) => /^functions\/([^/]+)\//.exec(spec.entry)?.[1] ?? null;
  const count = new Map<string, number>();
  for (const spec of functions) {
    const folder = folderOf(spec);
    if (folder !== null) count.set(folder, (count.get(folder) ?? 0) + 1);
  }
  return new Map(
    functions.map((spec) => {
      const folder = folderOf(spec);
      return [spec.logicalId, folder !== null && count.get(folder) === 1 ? folder : spec.logicalId];
    }),
  );
}

/** An SQS record a batch handler failed, with its error (`name: message`). */
export interface RecordFailure {
  messageId: string;
  reason: string;
}

/** What an invocation returned, and the records its batch processor failed (none for other handlers). */
export interface Invoked {
  result: unknown;
  recordFailures: RecordFailure[];
}

interface Pending {
  resolve(invoked: Invoked): void;
  reject(error: Error): void;
}

/** One execution environment: a worker thread that runs one invocation at a time, as Lambda's do. */
class FunctionSandbox {
  private worker: Worker | undefined;
  private pending = new Map<number, Pending>();
  private nextId = 0;
  readonly spec: LocalFunctionSpec;
  private readonly repoRoot: string;
  private readonly baseEnv: Record<string, string>;
  private readonly logFile: string | undefined;

  constructor(spec: LocalFunctionSpec, repoRoot: string, baseEnv: Record<string, string>, logFile?: string) {
    this.spec = spec;
    this.repoRoot = repoRoot;
    this.baseEnv = baseEnv;
    this.logFile = logFile;
  }

  private start(): Worker {
    const worker = new Worker(new URL('./lambda-worker.ts', import.meta.url), {
      workerData: {
        entryPath: resolve(this.repoRoot, this.spec.entry),
        handlerExport: this.spec.handlerExport,
        functionName: this.spec.name,
        functionArn: this.spec.arn,
        timeoutSeconds: this.spec.timeoutSeconds,
        memorySizeMb: this.spec.memorySizeMb,
      },
      env: {
        ...this.baseEnv,
        AWS_LAMBDA_FUNCTION_NAME: this.spec.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memorySizeMb),
        ...this.spec.environment,
      },
      // with a log folder, each function's output goes to its own file, as CloudWatch keeps a log group per function
      stdout: this.logFile !== undefined,
      stderr: this.logFile !== undefined,
    });
    if (this.logFile !== undefined) {
      mkdirSync(dirname(this.logFile), { recursive: true });
      const file = createWriteStream(this.logFile, { flags: 'a' });
      worker.stdout.pipe(file);
      worker.stderr.pipe(file);
    }
    worker.on(
      'message',
      (message: {
        id: number;
        ok: boolean;
        result?: unknown;
        recordFailures?: RecordFailure[];
        error?: { errorType?: string; errorMessage?: string; stack?: string; recordErrors?: string[] };
      }) => {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.ok)
          pending.resolve({ result: message.result, recordFailures: message.recordFailures ?? [] });
        else {
          const { errorType, errorMessage, stack, recordErrors } = message.error ?? {};
          pending.reject(
            new LambdaInvocationError(
              errorType ?? 'Error',
              errorMessage ?? 'unknown error',
              stack,
              recordErrors,
            ),
          );
        }
      },
    );
    const failAll = (error: Error) => {
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', (error) =>
      failAll(new LambdaInvocationError('Runtime.ExitError', error.message, error.stack)),
    );
    worker.on('exit', (code) =>
      failAll(new LambdaInvocationError('Runtime.ExitError', `worker exited (${code})`)),
    );
    return worker;
  }

  invoke(event: unknown): Promise<Invoked> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<Invoked>((resolveResult, rejectResult) => {
      // Lambda ends a timed-out sandbox; so do we, and the next invocation gets a cold start
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectResult(
          new LambdaInvocationError('Sandbox.Timedout', timedOutMessage(this.spec.timeoutSeconds)),
        );
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
      }, this.spec.timeoutSeconds * 1000);
      this.pending.set(id, {
        resolve: (invoked) => {
          clearTimeout(timer);
          resolveResult(invoked);
        },
        reject: (error) => {
          clearTimeout(timer);
          rejectResult(error);
        },
      });
      worker.postMessage({ id, event, requestId: randomUUID() });
    });
  }

  /** Ends the sandbox as a crash would: its running invocations fail with Runtime.ExitError. */
  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

/**
 * A function's execution environments: an invocation takes an idle one or starts another (a cold
 * start), as Lambda gives each concurrent invocation its own. Two invocations in one module would
 * share its BatchProcessor, logger and metrics: a batch that failed was then also reported by a good
 * batch running beside it, naming the other's object and error.
 */
class FunctionPool {
  private readonly idle: FunctionSandbox[] = [];
  private readonly all = new Set<FunctionSandbox>();
  readonly spec: LocalFunctionSpec;
  private readonly create: () => FunctionSandbox;

  constructor(spec: LocalFunctionSpec, create: () => FunctionSandbox) {
    this.spec = spec;
    this.create = create;
  }

  async invoke(event: unknown): Promise<Invoked> {
    let sandbox = this.idle.pop();
    if (!sandbox) {
      sandbox = this.create();
      this.all.add(sandbox);
    }
    try {
      return await sandbox.invoke(event);
    } finally {
      this.idle.push(sandbox);
    }
  }

  /** Ends every environment as a crash would: running invocations fail with Runtime.ExitError. */
  async crash(): Promise<void> {
    await Promise.all([...this.all].map((sandbox) => sandbox.crash()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all].map((sandbox) => sandbox.stop()));
  }
}

/**
 * Runs the template's Lambda functions from their handler modules, each invocation in a worker thread
 * that runs nothing else meanwhile (FunctionPool), with the function's resolved environment (so
 * module-load configuration sees the right values).
 */
export class LambdaRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly activity: ActivityTracker;
  private readonly names: Map<string, string>;
  invocations = 0;

  constructor(options: {
    functions: LocalFunctionSpec[];
    repoRoot: string;
    baseEnv: Record<string, string>;
    activity: ActivityTracker;
    /** write each function's stdout/stderr to `<logDir>/<function>.log` (logNames) instead of this process's */
    logDir?: string;
  }) {
    this.activity = options.activity;
    const names = logNames(options.functions);
    this.names = names;
    for (const spec of options.functions) {
      const { logDir } = options;
      const logFile = logDir === undefined ? undefined : join(logDir, `${names.get(spec.logicalId)}.log`);
      const pool = new FunctionPool(
        spec,
        () => new FunctionSandbox(spec, options.repoRoot, options.baseEnv, logFile),
      );
      for (const key of [spec.name, spec.arn, spec.logicalId]) this.pools.set(key, pool);
    }
  }

  /** Finds a function by name, ARN (also qualified `:$LATEST` / alias) or logical ID. */
  find(nameOrArn: string): LocalFunctionSpec | undefined {
    return this.pool(nameOrArn)?.spec;
  }

  /** The function's name as a person calls it (its log file's name, logNames); what was asked for when unknown. */
  displayName(nameOrArn: string): string {
    const spec = this.find(nameOrArn);
    return (spec && this.names.get(spec.logicalId)) ?? nameOrArn;
  }

  private pool(nameOrArn: string): FunctionPool | undefined {
    const direct = this.pools.get(nameOrArn);
    if (direct) return direct;
    const match = /^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+)(:.+)?$/.exec(nameOrArn);
    return match ? this.pools.get(match[1]) : undefined;
  }

  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    return (await this.invokeBatch(nameOrArn, event)).result;
  }

  /** Invokes like `invoke`, and tells which SQS records the handler's batch processor failed, and why. */
  invokeBatch(nameOrArn: string, event: unknown): Promise<Invoked> {
    const pool = this.pool(nameOrArn);
    if (!pool) {
      const known = [...new Set([...this.pools.values()].map((p) => p.spec.name))].join(', ');
      return Promise.reject(
        new LambdaInvocationError(
          'ResourceNotFoundException',
          `no local handler for Lambda ${nameOrArn} (functions with traceguard:entry metadata: ${known || 'none'})`,
        ),
      );
    }
    this.invocations++;
    return this.activity.track(() => pool.invoke(event));
  }

  /** Fault injection (tests): kill the function's sandboxes mid-invocation; the next call is a cold start. */
  async crash(nameOrArn: string): Promise<void> {
    await this.pool(nameOrArn)?.crash();
  }

  async stop(): Promise<void> {
    await Promise.all([...new Set(this.pools.values())].map((pool) => pool.stop()));
  }
}
