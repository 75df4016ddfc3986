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
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${what} configuration: ${problems}`);
  }
  return parsed.data;
}
