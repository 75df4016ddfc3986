import type { Command } from 'commander';
import { identity } from './cases.ts';
import { resolveTarget } from './customers.ts';
import { UsageError } from './errors.ts';

interface ReinstateOptions {
  reason?: string;
  approve?: boolean;
  decline?: boolean;
  as?: string;
}

/**
 * `traceguard customers reinstate <customerId> --reason "..."` requests the reinstatement of a
 * customer a case suspended or warned; another person approves it (`--approve`), which lifts it, or
 * declines it (`--decline --reason "..."`). See requestReinstatement for what is refused. Against the
 * local stack and AWS alike: who acts is the caller's AWS identity in AWS, or the `--as` name against
 * the local stack, so in AWS nobody approves their own request under another name.
 */
export function registerCustomerReinstate(customers: Command): void {
  customers
    .command('reinstate <customerId>')
    .description(
      'Lift a suspension or warning, with two people: one requests it (--reason), another approves it (--approve) or declines it (--decline --reason); a termination is final and is refused',
    )
    .option('--reason <text>', 'why, in words a regulator can read (a request, a decline)')
    .option('--approve', 'approve the reinstatement another person requested: the customer is active again')
    .option('--decline', 'decline the reinstatement waiting (with --reason): the customer stays as it is')
    .option('--as <name>', 'who acts (local stack only; in AWS your AWS identity is recorded)')
    .action(async (customerId: string, options: ReinstateOptions) => {
      const step = stepOf(options);
      const customersTable = await resolveTarget('CUSTOMERS_TABLE');
      const casesTable = await resolveTarget('CASES_TABLE');
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const target = resolveCliTarget();
      let auditTable: string;
      let dossiersTable: string;
      let topic: string;
      try {
        // the request waiting for a second person is kept in the customer's audit stream
        auditTable = target.require('AUDIT_TABLE');
        // a reinstated customer's identifiers leave the do-not-onboard list its suspension put them on
        dossiersTable = target.require('DOSSIERS_TABLE');
        // switch provisioning learns of the reinstatement as it learns of a suspension
        topic = target.require('ENFORCEMENT_TOPIC_ARN');
      } catch (e) {
        throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
      }
      const who = await identity(target.local, options.as);
      const { SNSClient } = await import('@aws-sdk/client-sns');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoCustomerRegistry } = await import('../shared/aws/cases-customers.ts');
      const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
      const { SnsCaseNotifier } = await import('../shared/aws/cases-notifier.ts');
      const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
      const { stoppedCustomerStores } = await import('../shared/aws/onboarding-store.ts');
      const { SuspendedEntryOnStatusChange } = await import('../shared/kyc/suspended-entry.ts');
      const reinstate = await import('../shared/cases/reinstate.ts');
      const doc = documentClient();
      const audit = new DynamoAuditStore(doc, auditTable);
      const deps = {
        customers: new SuspendedEntryOnStatusChange(new DynamoCustomerRegistry(doc, customersTable), {
          ...stoppedCustomerStores(doc, { dossiers: dossiersTable, customers: customersTable }),
          audit,
        }),
        cases: new DynamoCaseStore(doc, casesTable),
        // no on-call message is sent: both topics are the enforcement one
        notifier: new SnsCaseNotifier(new SNSClient({}), topic, topic),
        audit,
      };
      try {
        if (step === 'approve') {
          const done = await reinstate.approveReinstatement({ customerId, approvedBy: who }, deps);
          process.stdout.write(
            `customer ${customerId} reinstated by ${who}, requested by ${done.requestedBy}: ${done.before} -> ${done.status}\n`,
          );
        } else if (step === 'decline') {
          const { request } = await reinstate.declineReinstatement(
            { customerId, reason: options.reason, declinedBy: who },
            deps,
          );
          process.stdout.write(
            `reinstatement of customer ${customerId} requested by ${request.requestedBy} declined by ${who}: the customer stays ${request.statusBefore}\n`,
          );
        } else {
          const { request } = await reinstate.requestReinstatement(
            { customerId, reason: options.reason, requestedBy: who },
            deps,
          );
          process.stdout.write(
            `reinstatement of customer ${customerId} requested by ${who}: it stays ${request.statusBefore} until another person approves it (traceguard customers reinstate ${customerId} --approve)\n`,
          );
        }
      } catch (e) {
        if (e instanceof reinstate.ReinstatementRefused) throw new UsageError(e.message);
        throw e;
      }
    });
}

/** Which step the options ask for, refusing a combination that says two things at once. */
function stepOf(options: ReinstateOptions): 'request' | 'approve' | 'decline' {
  if (options.approve && options.decline) throw new UsageError('--approve and --decline: choose one');
  if (options.approve) {
    // what the customer is reinstated for is the request's reason, recorded with the approval
    if (options.reason !== undefined)
      throw new UsageError("--approve takes no --reason: the approval records the request's reason");
    return 'approve';
  }
  if (options.reason === undefined)
    throw new UsageError(
      options.decline
        ? '--decline needs --reason: say why, in words a regulator can read'
        : '--reason is required to request a reinstatement (or --approve one another person requested)',
    );
  return options.decline ? 'decline' : 'request';
}
