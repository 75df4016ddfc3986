import type { WindowDelta } from './merge-window.ts';

/** Customer ids named in the warning line; the count says how many more there were. */
const IDS_SHOWN = 10;

/** Calls of a batch part whose customer id the registry does not hold, and those ids (input order). */
export interface UnregisteredCalls {
  calls: number;
  customerIds: string[];
  /** calls per id */
  callsOf: Map<string, number>;
}

/**
 * The part's calls from customer ids the registry does not hold. Such traffic is judged on the
 * strictest (new-customer) thresholds, but a customer that sends little is never flagged at all: a
 * carrier carrying calls for an account nobody vetted, or a switch writing an accountcode or a trunk
 * map naming an id the registry spells otherwise. Either way somebody must look, so ingest says so.
 */
export function unregisteredCalls(
  deltas: readonly WindowDelta[],
  registered: ReadonlyMap<string, unknown>,
): UnregisteredCalls {
  let calls = 0;
  const callsOf = new Map<string, number>();
  for (const { customerId, window: w } of deltas) {
    // the customer window holds every call; a trunk window repeats some of them
    if (w.trunkId !== '' || registered.has(customerId)) continue;
    const n = w.attempts + w.onNet + w.emergency;
    calls += n;
    callsOf.set(customerId, (callsOf.get(customerId) ?? 0) + n);
  }
  return { calls, customerIds: [...callsOf.keys()], callsOf };
}

/**
 * The spellings worth looking up for the ids the warning names: each in upper and lower case, so a
 * switch writing `c042` for the registry's `C042` is told so (the registry is looked up by exact id).
 */
export function otherCaseSpellings(u: UnregisteredCalls): string[] {
  const out = new Set<string>();
  for (const id of u.customerIds.slice(0, IDS_SHOWN))
    for (const other of [id.toUpperCase(), id.toLowerCase()]) if (other !== id) out.add(other);
  return [...out];
}

/**
 * One line for the log: where, how many calls, which ids (the first IDS_SHOWN, each with its calls and
 * the registry's spelling of it in other letter case, from `registered`), and what to do.
 */
export function unregisteredSummary(
  where: string,
  u: UnregisteredCalls,
  registered: ReadonlyMap<string, unknown> = new Map(),
): string {
  const shown = u.customerIds
    .slice(0, IDS_SHOWN)
    .map((id) => {
      const other = [id.toUpperCase(), id.toLowerCase()].find((o) => o !== id && registered.has(o));
      return `${id} (${u.callsOf.get(id) ?? 0} calls${other === undefined ? '' : `; the registry has ${other}`})`;
    })
    .join(', ');
  const more = u.customerIds.length > IDS_SHOWN ? `, and ${u.customerIds.length - IDS_SHOWN} more` : '';
  return (
    `${u.calls} call(s) in ${where} came from ${u.customerIds.length} customer id(s) the registry does not hold: ` +
    `${shown}${more}. They were judged as new customers; onboard the customer, or correct the id the switch ` +
    'writes (the customer_id column, the accountcode, or the trunk map)'
  );
}
