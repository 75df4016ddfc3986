import type { CustomerStatus } from '../detect/customers.ts';
import { type IdentifierFields, identifiersOfApplication } from './identity.ts';
import type { DossierStore, OnboardingRegistry } from './ports.ts';

/**
 * A customer onboarding registered, with the identifiers it is known by: those its latest
 * application declared (ID number, address, alternate phone, IP ranges, telephone numbers), or, for
 * one registered without a dossier, its registry name and declarations. An applicant is compared
 * with these as with the do-not-onboard list: a second account of the same business, or a number
 * two customers claim, must not pass as a stranger.
 */
export interface CustomerOnFile {
  customer_id: string;
  status: CustomerStatus;
  identifiers: IdentifierFields;
}

/** Every customer on the roster, read now (a customer activated a minute ago is one). */
export async function customersOnFile(deps: {
  registry: Pick<OnboardingRegistry, 'list'>;
  dossiers: Pick<DossierStore, 'forCustomer'>;
}): Promise<CustomerOnFile[]> {
  const registered = await deps.registry.list();
  return Promise.all(
    registered.map(async (customer) => {
      const dossier = await deps.dossiers.forCustomer(customer.customer_id);
      return {
        customer_id: customer.customer_id,
        status: customer.status ?? 'active',
        identifiers: dossier
          ? identifiersOfApplication(dossier.application)
          : {
              names: [customer.name],
              ip_ranges: customer.declared_ip_ranges ?? [],
              numbers: customer.declared_numbers ?? [],
            },
      };
    }),
  );
}
