import type { CustomerStatus } from '../cases/model.ts';
import type { CustomerRegistry } from '../cases/ports.ts';
import { customerEntryId } from './do-not-onboard.ts';
import { keepSuspendedEntry, type SuspendedEntryDeps } from './suspended-entry.ts';

export interface SuspendedBackfillDeps extends Omit<SuspendedEntryDeps, 'customers'> {
  /** every customer in a status, read from the whole registry (a scan: a person's tool) */
  customers: Pick<CustomerRegistry, 'get'> & { withStatus(status: CustomerStatus): Promise<string[]> };
}

/**
 * Puts every suspended customer the do-not-onboard list lacks on it: customers suspended before
 * suspensions were listed have no entry until their status next changes. Run once after upgrading;
 * safe to run again: a customer already listed is left as it is, and the entry and its audit record
 * are written as a suspension writes them (once per suspension, dated when it began).
 *
 * A `traceguard customers` command rather than a step of the daily track-record review, although the
 * review walks customers: the review walks only the roster of customers onboarding registered, so a
 * customer imported from the registry CSV or seen only in CDRs, and suspended, would never be listed;
 * finding every suspended customer takes a scan of the Customers table, which no function makes; and
 * the gap is closed once, after which every suspension lists its customer itself.
 */
export async function listSuspendedCustomers(
  deps: SuspendedBackfillDeps,
): Promise<{ added: string[]; alreadyListed: number }> {
  const listed = new Set((await deps.doNotOnboard.list()).map((e) => e.entry_id));
  const added: string[] = [];
  let alreadyListed = 0;
  for (const customerId of await deps.customers.withStatus('suspended')) {
    if (listed.has(customerEntryId('suspended', customerId))) {
      alreadyListed++;
      continue;
    }
    // reinstated or terminated since the scan: that status change kept the list itself
    const profile = await deps.customers.get(customerId);
    if (profile?.status !== 'suspended') continue;
    await keepSuspendedEntry(customerId, 'suspended', profile.statusReason ?? 'suspended', deps);
    added.push(customerId);
  }
  return { added, alreadyListed };
}
