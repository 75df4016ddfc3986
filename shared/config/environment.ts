import type { z } from 'zod';

/**
 * A function's settings from its environment, checked by `schema`; every problem named in one error
 * (`<what> configuration: NAME: problem; ...`), so a bad deployment fails at load with all of them.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  what: string,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const name = i.path.join('.');
        // an unset variable is the usual problem: say so, not zod's "expected string, received undefined"
        return env[name] === undefined && i.path.length === 1
          ? `${name} is not set`
          : `${name}: ${i.message}`;
      })
      .join('; ');
    throw new Error(`${what} configuration: ${problems}`);
  }
  return parsed.data;
}
