import type { Command } from 'commander';
import { identity } from './cases.ts';
import { resolveTarget } from './customers.ts';
import { UsageError } from './errors.ts';

/**
 * `traceguard customers reinstate <customerId> --reason "..."`: lifts a suspension or warning a case
 * decided (see reinstateCustomer for what is refused). Against the local stack and AWS alike: who
 * reinstates is the caller's AWS identity in AWS, or the `--as` name against the local stack.
 */
export function registerCustomerReinstate(customers: Command): void {
  customers
    .command('reinstate <customerId>')
    .description(
      'Lift a suspension or warning: the customer is active again (a termination is final and is refused)',
    )
    .requiredOption('--reason <text>', 'why, in words a regulator can read')
    .option('--as <name>', 'who reinstates (local stack only; in AWS your AWS identity is recorded)')
    .action(async (customerId: string, options: { reason: string; as?: string }) => {
      const customersTable = await resolveTarget('CUSTOMERS_TABLE');
      const casesTable = await resolveTarget('CASES_TABLE');
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const target = resolveCliTarget();
      let auditTable: string;
      let dossiersTable: string;
      let topic: string;
      try {
        auditTable = target.require('AUDIT_TABLE');
        // a reinstated customer's identifiers leave the do-not-onboard list its suspension put them on
        dossiersTable = target.require('DOSSIERS_TABLE');
        // switch provisioning learns of the reinstatement as it learns of a suspension
        topic = target.require('ENFORCEMENT_TOPIC_ARN');
      } catch (e) {
        throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
      }
      const decidedBy = await identity(target.local, options.as);
      const { SNSClient } = await import('@aws-sdk/client-sns');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoCustomerRegistry } = await import('../shared/aws/cases-customers.ts');
      const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
      const { SnsCaseNotifier } = await import('../shared/aws/cases-notifier.ts');
      const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
      const { stoppedCustomerStores } = await import('../shared/aws/onboarding-store.ts');
      const { SuspendedEntryOnStatusChange } = await import('../shared/kyc/suspended-entry.ts');
      const { reinstateCustomer, ReinstatementRefused } = await import('../shared/cases/reinstate.ts');
      const doc = documentClient();
      const audit = new DynamoAuditStore(doc, auditTable);
      try {
        const done = await reinstateCustomer(
          { customerId, reason: options.reason, decidedBy },
          {
            customers: new SuspendedEntryOnStatusChange(new DynamoCustomerRegistry(doc, customersTable), {
              ...stoppedCustomerStores(doc, { dossiers: dossiersTable, customers: customersTable }),
              audit,
            }),
            cases: new DynamoCaseStore(doc, casesTable),
            // no on-call message is sent: both topics are the enforcement one
            notifier: new SnsCaseNotifier(new SNSClient({}), topic, topic),
            audit,
          },
        );
        process.stdout.write(
          `customer ${customerId} reinstated by ${decidedBy}: ${done.before} -> ${done.status}\n`,
        );
      } catch (e) {
        if (e instanceof ReinstatementRefused) throw new UsageError(e.message);
        throw e;
      }
    });
}
