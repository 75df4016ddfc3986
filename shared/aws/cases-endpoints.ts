import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the `cases` and `audit` commands find tables and the state machine: the environment first,
 * then the endpoints file the local stack writes (localEndpointsFile) (`{ env: { CASES_TABLE, AWS_ENDPOINT_URL_*,
 * ... } }`). Values from the file are copied into process.env so the AWS SDK clients pick up the
 * local endpoints. `local` is true when any endpoint override is in effect.
 */
export interface CliTarget {
  local: boolean;
  source: string;
  /**
   * When no endpoints file is here, what to say after a missing setting: the CLI reads the local
   * stack of the folder it runs from only, so a command run from a subfolder finds none. '' otherwise.
   */
  notHere: string;
  require(name: string): string;
  optional(name: string): string | undefined;
}

/**
 * The endpoints file the local stack writes: in its data folder, `.data` of the current folder unless
 * TRACEGUARD_DATA_DIR names another (a stack started with `npm start -- --data-dir DIR`).
 */
export function localEndpointsFile(): string {
  return resolve(process.cwd(), process.env.TRACEGUARD_DATA_DIR || '.data', 'endpoints.json');
}

export function resolveCliTarget(file = localEndpointsFile()): CliTarget {
  let source = 'environment';
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(`${file}: not JSON`);
    }
    const env = (parsed as { env?: unknown })?.env;
    if (!env || typeof env !== 'object') throw new Error(`${file}: expected { "env": { ... } }`);
    for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
      if (process.env[name] === undefined && typeof value === 'string') process.env[name] = value;
    }
    source = file;
  }
  const local = Object.keys(process.env).some((name) => name.startsWith('AWS_ENDPOINT_URL'));
  const notHere =
    source === 'environment'
      ? 'no local stack here: commands use the local stack of the project folder they are run from; run this from that folder, or set TRACEGUARD_DATA_DIR to its data folder'
      : '';
  return {
    local,
    source,
    notHere,
    optional: (name) => process.env[name] || undefined,
    require(name) {
      const value = process.env[name];
      if (!value)
        throw new Error(
          `${name} is not set (environment, or ${file} from the local stack)${notHere ? `; ${notHere}, or set ${name}` : ''}`,
        );
      return value;
    },
  };
}
