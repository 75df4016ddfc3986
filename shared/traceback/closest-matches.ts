import type { TracebackMatch } from './answer.ts';

/** Matches an answer lists at most: the closest in time to the requested call. */
export const MAX_MATCHES = 100;

/** Closest in time first, then by batch and line, so the answer reads the same on every run. */
export function byCloseness(callMs: number) {
  return (a: TracebackMatch, b: TracebackMatch) =>
    Math.abs(Date.parse(a.start_time) - callMs) - Math.abs(Date.parse(b.start_time) - callMs) ||
    a.batch.localeCompare(b.batch) ||
    a.line - b.line;
}

/**
 * The `limit` matches closest in time to the requested call, and how many matched in all. A wide
 * tolerance over a busy pair of numbers can match millions of rows; memory holds at most twice the
 * limit (trimmed back by a sort whenever it fills), never every match.
 */
export class ClosestMatches {
  private readonly order: (a: TracebackMatch, b: TracebackMatch) => number;
  private readonly limit: number;
  private kept: TracebackMatch[] = [];
  /** every match seen, kept or not */
  total = 0;

  constructor(callMs: number, limit = MAX_MATCHES) {
    this.order = byCloseness(callMs);
    this.limit = Math.max(1, limit);
  }

  add(match: TracebackMatch): void {
    this.total++;
    this.kept.push(match);
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  private trim(): void {
    this.kept.sort(this.order);
    this.kept.length = Math.min(this.kept.length, this.limit);
  }

  /** The kept matches, closest first. */
  sorted(): TracebackMatch[] {
    this.trim();
    return [...this.kept];
  }
}
