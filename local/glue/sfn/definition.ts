/**
 * Prepares an ASL definition for aws-local-stepfunctions:
 * - `$$.Task.Token` (which the library does not know) becomes a placeholder string that the task
 *   runner replaces with a freshly generated token;
 * - Task states without TimeoutSeconds get the longest timer Node allows (~24.8 days), because the
 *   library's default is 60 s while AWS's is 99999999 s: a parked analyst review must not fail after
 *   a minute.
 * Also lists every Task state by name, since the library's task override is keyed by state name.
 */

export const TASK_TOKEN_PLACEHOLDER = '__traceguard_local_task_token__';
const MAX_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);

export interface TaskStateInfo {
  name: string;
  resource: string;
  timeoutSeconds: number;
  heartbeatSeconds?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type StateDefinition = { [key: string]: Json };

function replaceTokenReferences(value: Json): Json {
  if (Array.isArray(value)) return value.map(replaceTokenReferences);
  if (value === null || typeof value !== 'object') return value;
  const result: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$') && item === '$$.Task.Token') result[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
    else result[key] = replaceTokenReferences(item);
  }
  return result;
}

function prepareStates(
  states: { [name: string]: StateDefinition },
  tasks: Map<string, TaskStateInfo>,
  path: string,
) {
  const prepared: { [name: string]: StateDefinition } = {};
  for (const [name, original] of Object.entries(states)) {
    const state: StateDefinition = { ...original };
    if (state.Type === 'Task') {
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      }
      if (state.Parameters !== undefined) state.Parameters = replaceTokenReferences(state.Parameters);
      const info: TaskStateInfo = {
        name,
        resource: String(state.Resource),
        timeoutSeconds: Number(state.TimeoutSeconds ?? MAX_TIMER_SECONDS),
        heartbeatSeconds: state.HeartbeatSeconds === undefined ? undefined : Number(state.HeartbeatSeconds),
      };
      const existing = tasks.get(name);
      if (existing && existing.resource !== info.resource) {
        throw new Error(
          `${path}.${name}: two Task states are named "${name}" with different resources; local task overrides are keyed by state name`,
        );
      }
      tasks.set(name, info);
    }
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches = state.Branches.map((branch, index) =>
        prepareMachine(branch as StateDefinition, tasks, `${path}.${name}.Branches[${index}]`),
      );
    }
    for (const field of ['Iterator', 'ItemProcessor']) {
      if (state.Type === 'Map' && state[field] && typeof state[field] === 'object') {
        state[field] = prepareMachine(state[field] as StateDefinition, tasks, `${path}.${name}.${field}`);
      }
    }
    prepared[name] = state;
  }
  return prepared;
}

function prepareMachine(
  machine: StateDefinition,
  tasks: Map<string, TaskStateInfo>,
  path: string,
): StateDefinition {
  const states = machine.States as { [name: string]: StateDefinition } | undefined;
  if (!states || typeof states !== 'object')
    throw new Error(`${path}: state machine definition has no States`);
  return { ...machine, States: prepareStates(states, tasks, `${path}.States`) };
}

export function prepareDefinition(definition: unknown, path: string) {
  const tasks = new Map<string, TaskStateInfo>();
  const prepared = prepareMachine(definition as StateDefinition, tasks, path);
  return { definition: prepared, tasks };
}

/** Replaces every occurrence of the placeholder in a task's input with the generated token. */
export function injectTaskToken(input: unknown, token: string): unknown {
  if (input === TASK_TOKEN_PLACEHOLDER) return token;
  if (typeof input === 'string') return input.replaceAll(TASK_TOKEN_PLACEHOLDER, token);
  if (Array.isArray(input)) return input.map((item) => injectTaskToken(item, token));
  if (input === null || typeof input !== 'object') return input;
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, injectTaskToken(value, token)]),
  );
}
