import type { AuditStore } from '../audit/ports.ts';
import type { CustomerStatus } from '../cases/model.ts';
import type { CustomerProfile, CustomerRegistry } from '../cases/ports.ts';
import { customerEntryId, entryForSuspendedCustomer } from './do-not-onboard.ts';
import { recordListChange } from './do-not-onboard-audit.ts';
import { type IdentifierFields, identifiersOfApplication } from './identity.ts';
import type { DoNotOnboardList, DossierStore, OnboardingRegistry } from './ports.ts';

/** Where the identifiers of a customer stopped by enforcement are read, and the list they go to. */
export interface StoppedCustomerDeps {
  dossiers: Pick<DossierStore, 'forCustomer'>;
  registry: Pick<OnboardingRegistry, 'get'>;
  doNotOnboard: DoNotOnboardList;
}

/**
 * The identifiers a customer stopped by enforcement is recognised by when it applies again: every
 * identifier of its activating dossier, or, for a customer onboarded before dossiers existed, its
 * registry name (its id when it has none).
 */
export async function identifiersOfCustomer(
  customerId: string,
  deps: Omit<StoppedCustomerDeps, 'doNotOnboard'>,
): Promise<{ identifiers: IdentifierFields; from: string }> {
  const dossier = await deps.dossiers.forCustomer(customerId);
  if (dossier)
    return {
      identifiers: identifiersOfApplication(dossier.application),
      from: `application ${dossier.applicationId}`,
    };
  const name = (await deps.registry.get(customerId))?.name || customerId;
  return { identifiers: { names: [name] }, from: 'registry name only' };
}

export interface SuspendedEntryDeps extends StoppedCustomerDeps {
  /** the status as the case workflow stored it: when and why the suspension began */
  customers: Pick<CustomerRegistry, 'get'>;
  /** each entry added or removed is recorded, as a termination's is (recordListChange) */
  audit: AuditStore;
  now?: () => Date;
}

/**
 * Brings the suspended customer's entry on the do-not-onboard list in line with the status just
 * made durable (`why` it changed): a suspended customer has one (dated when its suspension began, so
 * a repeated suspension writes the same entry), a reinstated or warned one has none. A termination is
 * left to the termination's own entry, which replaces this one once it is written, so the customer is
 * never off the list in between. Each addition and removal is recorded in the audit log once, after
 * the write, so a retry after a crash in between still records it.
 */
export async function keepSuspendedEntry(
  customerId: string,
  status: CustomerStatus,
  why: string,
  deps: SuspendedEntryDeps,
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  if (status === 'terminated') return;
  if (status !== 'suspended') {
    await deps.doNotOnboard.remove(customerEntryId('suspended', customerId));
    await recordListChange(
      deps.audit,
      { change: 'removed', customerId, source: 'suspended', reason: `${status}: ${why}`.slice(0, 2000) },
      now,
    );
    return;
  }
  // the profile read back may lag the write it follows: its date and reason count only if it agrees
  const profile = await deps.customers.get(customerId);
  const current = profile?.status === 'suspended' ? profile : null;
  const since = Date.parse(current?.statusChangedAt ?? '');
  const { identifiers, from } = await identifiersOfCustomer(customerId, deps);
  const entry = entryForSuspendedCustomer(
    customerId,
    identifiers,
    (current?.statusReason || 'suspended by enforcement').slice(0, 2000),
    Number.isNaN(since) ? now() : new Date(since),
  );
  await deps.doNotOnboard.add(entry);
  await recordListChange(
    deps.audit,
    {
      change: 'added',
      customerId,
      source: 'suspended',
      reason: entry.reason,
      since: entry.added_at,
      details: { from },
    },
    now,
  );
}

/**
 * The customer registry as enforcement writes it (a case's suspension or decision, a dismissal, a
 * reinstatement): every status change also keeps the suspended customer's do-not-onboard entry (see
 * keepSuspendedEntry), whichever path made it. Fails when the list cannot be written, so the step
 * that changed the status is retried.
 */
export class SuspendedEntryOnStatusChange implements CustomerRegistry {
  readonly #customers: CustomerRegistry;
  readonly #deps: SuspendedEntryDeps;
  constructor(customers: CustomerRegistry, deps: Omit<SuspendedEntryDeps, 'customers'>) {
    this.#customers = customers;
    this.#deps = { ...deps, customers };
  }
  get(customerId: string): Promise<CustomerProfile | null> {
    return this.#customers.get(customerId);
  }
  async setStatus(
    customerId: string,
    status: CustomerStatus,
    why: string,
    expected?: CustomerStatus,
  ): Promise<void> {
    await this.#customers.setStatus(customerId, status, why, expected);
    await keepSuspendedEntry(customerId, status, why, this.#deps);
  }
}
