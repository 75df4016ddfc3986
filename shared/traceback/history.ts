import type { TracebackMatch } from './answer.ts';

/**
 * A customer's traceback history counts calls traced back, not requests: two requests describing one
 * call (numbers written differently, another id, a later received_at) trace back that call once. The
 * call an answer traces back is its closest match, the one that names the customer, by switch and call
 * id: two calls of one campaign to the same victim minutes apart are two calls, even when each request
 * matched both of them.
 */
export function tracedCall(match: TracebackMatch | undefined): string | undefined {
  return match ? `${match.switch_id}/${match.call_id}` : undefined;
}

interface Traced {
  answeredAt: string;
  tracebackId: string;
  /** tracedCall of its answer; absent on entries written before calls were kept (each counts) */
  call?: string;
}

const byAnswer = (a: Traced, b: Traced) =>
  a.answeredAt.localeCompare(b.answeredAt) || a.tracebackId.localeCompare(b.tracebackId);

/** One entry per call traced back, the first answered of its requests; entries without a call each count. */
export function distinctCalls<T extends Traced>(history: readonly T[]): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const entry of [...history].sort(byAnswer)) {
    if (entry.call !== undefined && seen.has(entry.call)) continue;
    if (entry.call !== undefined) seen.add(entry.call);
    kept.push(entry);
  }
  return kept;
}

/** The first traceback of the call `tracebackId` traced back, when that is another request; else null. */
export function earlierTracebackOfCall<T extends Traced>(
  history: readonly T[],
  tracebackId: string,
): T | null {
  const own = history.find((h) => h.tracebackId === tracebackId);
  if (own?.call === undefined) return null;
  const first = distinctCalls(history).find((h) => h.call === own.call);
  return first && first.tracebackId !== tracebackId ? first : null;
}
