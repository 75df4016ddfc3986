import type { WindowDelta } from './merge-window.ts';

/** Customer ids named in the warning line; the count says how many more there were. */
const IDS_SHOWN = 10;

/** Calls of a batch part whose customer id the registry does not hold, and those ids (input order). */
export interface UnregisteredCalls {
  calls: number;
  customerIds: string[];
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
  const customerIds: string[] = [];
  const seen = new Set<string>();
  for (const { customerId, window: w } of deltas) {
    // the customer window holds every call; a trunk window repeats some of them
    if (w.trunkId !== '' || registered.has(customerId)) continue;
    calls += w.attempts + w.onNet + w.emergency;
    if (!seen.has(customerId)) {
      seen.add(customerId);
      customerIds.push(customerId);
    }
  }
  return { calls, customerIds };
}

/** One line for the log: where, how many calls, which ids (the first IDS_SHOWN), and what to do. */
export function unregisteredSummary(where: string, u: UnregisteredCalls): string {
  const shown = u.customerIds.slice(0, IDS_SHOWN).join(', ');
  const more = u.customerIds.length > IDS_SHOWN ? `, and ${u.customerIds.length - IDS_SHOWN} more` : '';
  return (
    `${u.calls} call(s) in ${where} came from ${u.customerIds.length} customer id(s) the registry does not hold: ` +
    `${shown}${more}. They were judged as new customers; onboard the customer, or correct the id the switch ` +
    'writes (accountcode, trunk map)'
  );
}
