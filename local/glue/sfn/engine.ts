import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineSpec } from '../../template/wiring.ts';
import type { ActivityTracker } from '../activity.ts';
import { injectTaskToken, prepareDefinition, type TaskStateInfo } from './definition.ts';
import { type HistoryEvent, historyEventOf } from './history.ts';
import { type IntegrationContext, runIntegration } from './integrations.ts';
import { StatesError, type TaskTokenRegistry } from './task-tokens.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** the callback this execution waits for, kept so a restart can restore it with the same token */
  waiting?: WaitingTask;
}

export interface WaitingTask {
  token: string;
  stateName: string;
  /** when the task was parked (ms): its timeout runs from here, across restarts */
  requestedAt: number;
}

/** An SFN API error: `code` becomes the `__type` the SDK turns into an exception class. */
export class SfnApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

interface PreparedMachine {
  spec: StateMachineSpec;
  definition: { StartAt: string; States: Record<string, unknown> };
  machine: StateMachine;
  /** the same definition starting at another top-level state, for resumed executions */
  resumeAt: Map<string, StateMachine>;
  tasks: Map<string, TaskStateInfo>;
}

/** A resumed execution re-enters `stateName` with `input`; a parked callback there gets `waiting` back. */
interface ResumePoint {
  stateName: string;
  input: unknown;
  waiting?: WaitingTask;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Step Functions executions on aws-local-stepfunctions, with what the library lacks: Task resources
 * mapped to the local handlers and service integrations, `.waitForTaskToken` callbacks, execution
 * names and ARNs, history, and records that survive a restart. The library cannot resume an
 * execution mid-way, so after a restart a running execution is started again at the top-level state it
 * was in (from that state's recorded input); a task parked on a callback is parked again with the same
 * token and the time it already waited, without running its resource a second time.
 */
export class StepFunctionsEngine {
  private readonly machines = new Map<string, PreparedMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly finished = new Map<string, Promise<ExecutionRecord>>();
  private readonly aborts = new Map<string, () => void>();
  private stopping = false;
  private readonly options: {
    stateMachines: StateMachineSpec[];
    integrations: IntegrationContext;
    tokens: TaskTokenRegistry;
    activity: ActivityTracker;
    region: string;
    recordsFile: string;
  };

  constructor(options: StepFunctionsEngine['options']) {
    this.options = options;
    for (const spec of options.stateMachines) {
      const { definition, tasks } = prepareDefinition(
        spec.definition,
        `Resources.${spec.logicalId}.Definition`,
      );
      // ARN checks would reject the `arn:aws:states:::sns:publish` style service integrations
      const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
      this.machines.set(spec.arn, {
        spec,
        definition: definition as PreparedMachine['definition'],
        machine,
        resumeAt: new Map(),
        tasks,
      });
    }
    this.load();
  }

  private load(): void {
    if (!existsSync(this.options.recordsFile)) return;
    const records = JSON.parse(readFileSync(this.options.recordsFile, 'utf8')) as ExecutionRecord[];
    for (const record of records) this.executions.set(record.executionArn, record);
  }

  /**
   * Picks up the executions that were running when the runtime stopped (cleanly or not): each starts
   * again at the top-level state it was in. One that cannot be placed (it stopped between two states,
   * or its machine left the template) is ABORTED with error `Local.RuntimeRestarted`.
   */
  resumeRunning(): number {
    let resumed = 0;
    for (const record of this.executions.values()) {
      if (record.status !== 'RUNNING' || this.finished.has(record.executionArn)) continue;
      const prepared = this.machines.get(record.stateMachineArn);
      const point = prepared && resumePointOf(record, prepared);
      if (!prepared || !point) {
        Object.assign(record, {
          status: 'ABORTED',
          stopDate: Date.now(),
          error: 'Local.RuntimeRestarted',
          cause: 'the local runtime stopped while this execution was between states; it cannot be resumed',
        });
        continue;
      }
      this.finished.set(record.executionArn, this.run(prepared, record, point.input, point));
      resumed++;
    }
    this.save();
    return resumed;
  }

  private save(): void {
    mkdirSync(dirname(this.options.recordsFile), { recursive: true });
    writeFileSync(this.options.recordsFile, JSON.stringify([...this.executions.values()]));
  }

  stateMachines(): StateMachineSpec[] {
    return [...this.machines.values()].map((prepared) => prepared.spec);
  }

  /** True while some execution runs a step that is not parked on a task token. */
  get busy(): boolean {
    const parked = new Set(this.options.tokens.waiting().map((entry) => entry.executionArn));
    return [...this.executions.values()].some(
      (record) => record.status === 'RUNNING' && !parked.has(record.executionArn),
    );
  }

  startExecution(stateMachineArn: string, name?: string, inputText?: string): ExecutionRecord {
    const prepared = this.machines.get(stateMachineArn);
    if (!prepared)
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionName = name ?? crypto.randomUUID();
    if (!NAME_PATTERN.test(executionName))
      throw new SfnApiError('InvalidName', `Invalid Name: '${executionName}'`);
    const inputJson = inputText ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputJson);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // SFN: same name + same input while running is idempotent, anything else is a conflict
      if (existing.status === 'RUNNING' && existing.input === inputJson) return existing;
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name: executionName,
      status: 'RUNNING',
      startDate: Date.now(),
      input: inputJson,
      history: [],
    };
    this.executions.set(executionArn, record);
    this.save();
    this.finished.set(executionArn, this.run(prepared, record, input));
    return record;
  }

  private taskHandlers(prepared: PreparedMachine, record: ExecutionRecord, restored?: WaitingTask) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    let toRestore = restored;
    for (const task of prepared.tasks.values()) {
      handlers[task.name] = async (input) => {
        const callback = task.resource.endsWith('.waitForTaskToken');
        const resource = task.resource.replace(/\.(waitForTaskToken|sync(:2)?)$/, '');
        if (!callback)
          return this.options.activity.track(() =>
            runIntegration(resource, input, this.options.integrations),
          );
        const spec = {
          executionArn: record.executionArn,
          stateName: task.name,
          timeoutSeconds: task.timeoutSeconds,
          heartbeatSeconds: task.heartbeatSeconds,
        };
        if (toRestore?.stateName === task.name) {
          // the resource ran before the restart and holds this token: wait for it again, do not re-run
          const waiting = toRestore;
          toRestore = undefined;
          return this.parkRecorded(record, waiting, spec);
        }
        const waiting: WaitingTask = {
          token: this.options.tokens.newToken(),
          stateName: task.name,
          requestedAt: Date.now(),
        };
        const answer = this.parkRecorded(record, waiting, spec);
        // the callback may come before the integration returns (a fast Lambda), so park first
        answer.catch(() => {});
        await this.options.activity.track(() =>
          runIntegration(resource, injectTaskToken(input, waiting.token), this.options.integrations),
        );
        return answer;
      };
    }
    return handlers;
  }

  /** Parks a callback task and keeps it in the execution's record until it is answered or times out. */
  private async parkRecorded(
    record: ExecutionRecord,
    waiting: WaitingTask,
    spec: Parameters<TaskTokenRegistry['park']>[1],
  ): Promise<unknown> {
    const elapsedSeconds = (Date.now() - waiting.requestedAt) / 1000;
    const answer = this.options.tokens.park(waiting.token, spec, elapsedSeconds);
    record.waiting = waiting;
    this.save();
    try {
      return await answer;
    } finally {
      if (!this.stopping && record.waiting === waiting) {
        record.waiting = undefined;
        this.save();
      }
    }
  }

  private machineStartingAt(prepared: PreparedMachine, stateName: string): StateMachine {
    let machine = prepared.resumeAt.get(stateName);
    if (!machine) {
      // the full definition was validated; starting further down leaves earlier states unreachable
      machine = new StateMachine({ ...prepared.definition, StartAt: stateName } as never, {
        validationOptions: { noValidate: true },
      });
      prepared.resumeAt.set(stateName, machine);
    }
    return machine;
  }

  private async run(
    prepared: PreparedMachine,
    record: ExecutionRecord,
    input: unknown,
    resume?: ResumePoint,
  ): Promise<ExecutionRecord> {
    const machine = resume ? this.machineStartingAt(prepared, resume.stateName) : prepared.machine;
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(prepared, record, resume?.waiting) as never,
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Input: input,
          Name: record.name,
          RoleArn: `arn:aws:iam::000000000000:role/${prepared.spec.name}Role`,
          StartTime: new Date(record.startDate).toISOString(),
        },
        StateMachine: { Id: prepared.spec.arn, Name: prepared.spec.name },
      } as never,
    });
    this.aborts.set(record.executionArn, execution.abort);
    const logging = (async () => {
      for await (const event of execution.eventLogs) {
        const mapped = historyEventOf(event as never);
        // a resumed execution started once; its state entries are what a restart needs, so keep them on disk
        if (!mapped || (resume && mapped.type === 'ExecutionStarted')) continue;
        const id = record.history.length + 1;
        record.history.push({ ...mapped, id, previousEventId: id - 1 } as HistoryEvent);
        if (String(mapped.type).endsWith('StateEntered')) this.save();
      }
    })().catch(() => {});
    try {
      const output = await execution.result;
      Object.assign(record, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
    } catch (error) {
      const failure = error as Error & { cause?: Error };
      if (failure.name === 'ExecutionAbortedError') {
        // stopped with the runtime: it stays RUNNING on disk and is resumed on the next start
        if (this.stopping) return record;
        Object.assign(record, { status: 'ABORTED' });
      } else if (failure.name === 'ExecutionTimeoutError') {
        Object.assign(record, { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'execution timed out' });
      } else {
        const cause = failure.cause ?? failure;
        Object.assign(record, {
          status: 'FAILED',
          error: cause.name,
          cause:
            cause instanceof StatesError || cause.name !== 'Error' ? cause.message : String(cause.message),
        });
      }
    } finally {
      if (record.status !== 'RUNNING') {
        record.stopDate = Date.now();
        record.waiting = undefined;
      }
      this.aborts.delete(record.executionArn);
      this.options.tokens.abandon(record.executionArn);
      await Promise.race([logging, new Promise((resolve) => setTimeout(resolve, 50))]);
      this.save();
    }
    return record;
  }

  describe(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (!record)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  list(stateMachineArn: string, status?: string): ExecutionRecord[] {
    if (!this.machines.has(stateMachineArn)) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    return [...this.executions.values()]
      .filter((record) => record.stateMachineArn === stateMachineArn && (!status || record.status === status))
      .sort((a, b) => b.startDate - a.startDate);
  }

  stop(executionArn: string, error?: string, cause?: string): ExecutionRecord {
    const record = this.describe(executionArn);
    const abort = this.aborts.get(executionArn);
    if (record.status === 'RUNNING' && abort) {
      abort();
      Object.assign(record, { error, cause });
    }
    return record;
  }

  /** Resolves when the execution ends (tests; never needed by handlers). */
  async waitForEnd(executionArn: string): Promise<ExecutionRecord> {
    const running = this.finished.get(executionArn);
    return running ? running : this.describe(executionArn);
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const abort of this.aborts.values()) abort();
    this.options.tokens.clear();
    await Promise.allSettled(this.finished.values());
    this.save();
  }
}

/**
 * Where a running execution stood: the last top-level state it entered and did not leave, with the
 * input it entered with (from the recorded history), and the callback it was parked on, if any.
 */
function resumePointOf(record: ExecutionRecord, prepared: PreparedMachine): ResumePoint | undefined {
  const topLevel = new Set(Object.keys(prepared.definition.States));
  if (record.history.length === 0)
    return { stateName: prepared.definition.StartAt, input: JSON.parse(record.input) };
  let open: { name: string; input: string } | undefined;
  for (const event of record.history) {
    const entered = event.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
    const exited = event.stateExitedEventDetails as { name?: string } | undefined;
    if (entered?.name && topLevel.has(entered.name))
      open = { name: entered.name, input: entered.input ?? 'null' };
    else if (exited?.name && exited.name === open?.name) open = undefined;
  }
  if (!open) return undefined;
  const waiting = record.waiting?.stateName === open.name ? record.waiting : undefined;
  return { stateName: open.name, input: JSON.parse(open.input), waiting };
}

export { StatesError };
