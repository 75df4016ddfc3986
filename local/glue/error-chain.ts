import { inspect } from 'node:util';

/**
 * An error in full, for the local runtime log: its stack, then what it carries, each indented under
 * it, to any depth: its cause (`error.cause`, such as the DynamoDB error a RetryableStoreError stands
 * for), an AggregateError's errors, and each failed record's error of a batch that failed whole
 * (Powertools' FullBatchFailureError `recordErrors`). What the text above already holds (an error
 * that wraps another's stack or message) is not written twice.
 */
export function errorInFull(error: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  const write = (e: unknown, indent: string, label: string) => {
    if (seen.has(e)) return;
    seen.add(e);
    const own = textOf(e).split('\n');
    lines.push(`${indent}${label}${own[0]}`, ...own.slice(1).map((l) => `${indent}${l}`));
    if (!(e instanceof Error)) return;
    const written = lines.join('\n');
    const inner = `${indent}  `;
    for (const [carried, name] of carriedBy(e)) {
      if (!written.includes(textOf(carried))) write(carried, inner, name);
    }
  };
  write(error, '', '');
  return lines.join('\n');
}

/** An error's stack; anything else thrown or carried as a cause (middy's `{ package }`) as its fields, not `[object Object]`. */
function textOf(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return typeof e === 'string' ? e : inspect(e, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
}

/** The errors `e` carries, each with the label it is written under. */
function carriedBy(e: Error): Array<[unknown, string]> {
  const carried: Array<[unknown, string]> = [];
  if (e.cause !== undefined) carried.push([e.cause, 'caused by: ']);
  const errors = e instanceof AggregateError ? e.errors : [];
  errors.forEach((x, i) => {
    carried.push([x, `error ${i + 1} of ${errors.length}: `]);
  });
  const records = (e as { recordErrors?: unknown }).recordErrors;
  if (Array.isArray(records))
    records.forEach((x, i) => {
      carried.push([x, `record ${i + 1} of ${records.length}: `]);
    });
  return carried;
}
