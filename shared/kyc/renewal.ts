import type { CustomerRegistry } from '../cases/ports.ts';
import type { Application } from './application.ts';
import type { CheckReason } from './check-reason.ts';
import { caseVariants, didYouMean } from './did-you-mean.ts';
import type { OnboardingRegistry } from './ports.ts';
import type { CustomerStanding } from './standing.ts';

/** The customer a renewal re-verifies, as the checks judge it. */
export interface RenewedCustomer {
  /**
   * The status the checks read: the named customer's, or, for an id that differs from a registry
   * customer's only in case, that customer's (a terminated C904 is not a stranger called c904).
   */
  standing: CustomerStanding | null;
  /** why the renewal names no customer in the registry (null: it names one, or is no renewal) */
  unknown: CheckReason | null;
}

/**
 * A renewal keeps the tier and history of the customer it names, so it must name one the registry
 * has, exactly: otherwise activation would register a brand-new customer under that id on one
 * analyst's approval, without the checks a new customer gets. The id is also tried in upper and lower
 * case (the registry's ids are case-sensitive, people typing them are not), to say which customer was
 * meant and to judge the application on that customer's status.
 */
export async function resolveRenewal(
  app: Application,
  deps: { registry: Pick<OnboardingRegistry, 'get'>; customers: Pick<CustomerRegistry, 'get'> },
): Promise<RenewedCustomer> {
  const id = app.renewing_customer_id ?? app.application_id;
  if (!app.renewing_customer_id || (await deps.registry.get(id)))
    return { standing: await deps.customers.get(id), unknown: null };
  let meant: string | null = null;
  for (const variant of caseVariants(id)) {
    if (await deps.registry.get(variant)) {
      meant = variant;
      break;
    }
  }
  return {
    standing: meant ? await deps.customers.get(meant) : null,
    unknown: {
      code: 'RENEWAL_UNKNOWN_CUSTOMER',
      risk: 'high',
      detail:
        `no customer ${id} to renew${meant ? `; ${didYouMean(meant)}` : ''}: a renewal names a customer in the ` +
        'registry exactly, so it is refused without review; a new customer applies without renewing_customer_id',
      evidence: { renewing_customer_id: id, did_you_mean: meant },
    },
  };
}
