import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { printTable } from './cases.ts';
import { resolveTarget } from './customers.ts';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * `traceguard customers status <customerId>`: the customer's registry status (what enforcement made
 * it, when and why), a reinstatement waiting for a second person, and every case it has had, newest
 * first. Against the local stack and AWS alike.
 */
export function registerCustomerStatus(customers: Command): void {
  customers
    .command('status <customerId>')
    .description("A customer's status (active, warned, suspended, terminated: when and why) and its cases")
    .option('--json', 'print JSON')
    .action(async (customerId: string, options: { json?: boolean }) => {
      const customersTable = await resolveTarget('CUSTOMERS_TABLE');
      const casesTable = await resolveTarget('CASES_TABLE');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
      const { DynamoCustomerRegistry } = await import('../shared/aws/cases-customers.ts');
      const { caseSummary } = await import('../shared/cases/summary.ts');
      const doc = documentClient();
      const cases = new DynamoCaseStore(doc, casesTable);
      const [profile, records, request] = await Promise.all([
        new DynamoCustomerRegistry(doc, customersTable).get(customerId),
        cases.listForCustomer(customerId),
        reinstatementRequest(doc, customerId),
      ]);
      if (!profile && records.length === 0)
        throw new UsageError(`customer ${customerId} is not in the registry and has no cases`);
      const summaries = records.map(caseSummary);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ customer: profile, reinstatementRequest: request, cases: summaries }, null, 2)}\n`,
        );
        return;
      }
      const { customerStatusLines } = await import('../shared/cases/render-customer.ts');
      process.stdout.write(
        `${customerStatusLines(customerId, profile, request).map(terminalSafe).join('\n')}\n`,
      );
      if (summaries.length === 0) {
        process.stdout.write('No cases.\n');
        return;
      }
      process.stdout.write(`\nCases (${summaries.length}, newest first)\n`);
      printTable(
        ['CASE', 'SEVERITY', 'STATUS', 'OUTCOME', 'OPENED', 'CLOSED', 'REASONS'],
        summaries.map((s) => [
          s.caseId,
          s.severity,
          s.waitingFor,
          s.outcome ?? '-',
          s.openedAt,
          s.closedAt ?? '-',
          s.reasons,
        ]),
      );
    });
}

/** The customer's reinstatement waiting for a second person, kept in its audit stream (none without one). */
async function reinstatementRequest(doc: DynamoDBDocumentClient, customerId: string) {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const table = resolveCliTarget().optional('AUDIT_TABLE');
  if (!table) return null;
  const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
  const { readReinstatementRequest } = await import('../shared/cases/reinstatement-request.ts');
  return (await readReinstatementRequest(new DynamoAuditStore(doc, table), customerId)).request;
}
