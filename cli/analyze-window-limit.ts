import { UsageError } from './errors.ts';

/**
 * TRACEGUARD_ANALYZE_MAX_WINDOWS: customer-hour windows one analyze run holds beyond one for every
 * two calls (default 30,000, about 120 MB): past it the run stops with exit 2 and says so. Real
 * traffic has several calls per customer-hour, so a day of thousands of customers runs; input that
 * opens a window per call (a million customers, or hours) stops instead of growing memory with them.
 */
export const WINDOWS_PER_CALL = 0.5;

export function analyzeWindowLimit(): number {
  const env = process.env.TRACEGUARD_ANALYZE_MAX_WINDOWS;
  const asked = env === undefined || env === '' ? 30_000 : Number(env);
  if (!Number.isInteger(asked) || asked < 1)
    throw new UsageError(`TRACEGUARD_ANALYZE_MAX_WINDOWS must be a whole number >= 1, got '${env}'`);
  return asked;
}
