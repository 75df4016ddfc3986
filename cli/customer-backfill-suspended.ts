import type { Command } from 'commander';
import { resolveTarget } from './customers.ts';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * `traceguard customers backfill-suspended`: puts every suspended customer without a do-not-onboard
 * entry on the list (listSuspendedCustomers says why this is a command). Once after upgrading; safe
 * to repeat. It scans the Customers table and reads dossiers, which no operator policy allows: run it
 * with the rights the stack was deployed with, or against the local stack.
 */
export function registerCustomerBackfillSuspended(customers: Command): void {
  customers
    .command('backfill-suspended')
    .description(
      'Put every suspended customer that has no do-not-onboard entry on the list (once after upgrading; safe to repeat)',
    )
    .action(async () => {
      const customersTable = await resolveTarget('CUSTOMERS_TABLE');
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const target = resolveCliTarget();
      let auditTable: string;
      let dossiersTable: string;
      try {
        auditTable = target.require('AUDIT_TABLE');
        dossiersTable = target.require('DOSSIERS_TABLE');
      } catch (e) {
        throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
      }
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoCustomerRegistry } = await import('../shared/aws/cases-customers.ts');
      const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
      const { stoppedCustomerStores } = await import('../shared/aws/onboarding-store.ts');
      const { listSuspendedCustomers } = await import('../shared/kyc/suspended-backfill.ts');
      const doc = documentClient();
      const { added, alreadyListed } = await listSuspendedCustomers({
        ...stoppedCustomerStores(doc, { dossiers: dossiersTable, customers: customersTable }),
        customers: new DynamoCustomerRegistry(doc, customersTable),
        audit: new DynamoAuditStore(doc, auditTable),
      });
      process.stdout.write(
        terminalSafe(
          `added ${added.length} suspended customer(s) to the do-not-onboard list${added.length ? ` (${added.join(', ')})` : ''}; ${alreadyListed} already listed`,
        ) + '\n',
      );
    });
}
