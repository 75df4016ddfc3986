import { UsageError } from './errors.ts';

/** An option given in whole seconds (`--grace 600`), or undefined when not given; anything else is a usage error. */
export function wholeSeconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0))
    throw new UsageError(`${flag} '${text}' must be a whole number of seconds, 0 or more`);
  return n;
}

/**
 * Settings a command shares with a deployed function, read from the environment once the CLI's target
 * is resolved (AWS names in the environment, or the local stack's from `.data/endpoints.json`).
 */
export async function targetConfig<T>(read: (env: NodeJS.ProcessEnv) => T): Promise<T> {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const { notHere } = resolveCliTarget();
  try {
    return read(process.env);
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message}${notHere ? `; ${notHere}, or set them` : ''}; or start the local stack (npm start)`,
    );
  }
}
