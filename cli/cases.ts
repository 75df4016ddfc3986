import type { Command } from 'commander';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * `traceguard cases list | show <id> | decide <id> --decision ... --reason ...`: the review interface.
 * Works against AWS and the local stack alike. Who decided is the caller's AWS identity as the
 * decision function verified it in AWS, or the `--as` name against the local stack.
 */
export function register(program: Command): void {
  const cases = program.command('cases').description('Review compliance cases');

  cases
    .command('list')
    .description('Open cases, oldest first, with what they are waiting for')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const { store } = await connect();
      const { caseSummary: summary } = await import('../shared/cases/summary.ts');
      const open = await store.listOpen();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(open.map(summary), null, 2)}\n`);
        return;
      }
      if (open.length === 0) {
        process.stdout.write('No open cases.\n');
        return;
      }
      const rows = open
        .map(summary)
        .map((s) => [s.caseId, s.customerId, s.severity, s.waitingFor, s.openedAt, s.reasons]);
      printTable(['CASE', 'CUSTOMER', 'SEVERITY', 'WAITING FOR', 'OPENED', 'REASONS'], rows);
    });

  cases
    .command('show <caseId>')
    .description('A case with its reasons, evidence, decisions and audit history')
    .option('--json', 'print JSON')
    .action(async (caseId: string, options: { json?: boolean }) => {
      const { store, target } = await connect();
      const record = await store.get(caseId);
      if (!record) throw new UsageError(`case ${caseId} does not exist`);
      const history = await auditHistory(target, caseId);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...record, history }, null, 2)}\n`);
        return;
      }
      const { renderCase } = await import('../shared/cases/render.ts');
      // customer ids and reasons come from CDRs and people: each line escaped for the terminal
      process.stdout.write(renderCase(record, history).split('\n').map(terminalSafe).join('\n'));
    });

  cases
    .command('decide <caseId>')
    .description(
      "Decide a case waiting for review. An analyst's terminate is a recommendation an executive (another " +
        'person) reviews: the executive approves it with --decision terminate, or declines it by deciding ' +
        "dismiss, warn or suspend, which is then the executive's own decision, enforced and recorded as theirs " +
        "(the analyst's recommendation stays on the record as a recommendation)",
    )
    .requiredOption(
      '--decision <decision>',
      'dismiss | warn | suspend | terminate (at the executive review: terminate approves, any other declines)',
    )
    .requiredOption('--reason <text>', 'why, in words a regulator can read')
    .option('--as <name>', 'who decides (local stack only; in AWS your AWS identity is recorded)')
    .action(async (caseId: string, options: { decision: string; reason: string; as?: string }) => {
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const { sendReviewDecision } = await import('./review-decision.ts');
      const done = await sendReviewDecision(resolveCliTarget(), options.as, {
        kind: 'case',
        caseId,
        decision: options.decision,
        reason: options.reason,
      });
      process.stdout.write(
        `case ${caseId}: ${done.stage} decision "${done.decision}" by ${done.decidedBy} sent\n`,
      );
    });
}

async function connect() {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
  const target = resolveCliTarget();
  return { target, store: new DynamoCaseStore(documentClient(), target.require('CASES_TABLE')) };
}

/** `--as` only where there is no real identity to record; in AWS the STS caller ARN is the reviewer. */
export async function identity(
  local: boolean,
  as: string | undefined,
  role: 'decides' | 'submits' = 'decides',
): Promise<string> {
  if (local) {
    if (!as?.trim()) throw new UsageError(`--as NAME is required against the local stack (who ${role})`);
    return as.trim();
  }
  if (as) throw new UsageError('--as is only for the local stack; in AWS your AWS identity is recorded');
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  if (!who.Arn) throw new Error('STS GetCallerIdentity returned no ARN');
  return who.Arn;
}

async function auditHistory(target: { optional(name: string): string | undefined }, caseId: string) {
  const table = target.optional('AUDIT_TABLE');
  if (!table) return [];
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
  const { auditStreams } = await import('../shared/audit/append.ts');
  const records = await new DynamoAuditStore(documentClient(), table).list(auditStreams.forCase(caseId));
  return records as Array<{
    seq: number;
    at: string;
    actor: { role: string; id: string };
    action: string;
    reason: string;
  }>;
}

export function printTable(header: string[], cells: string[][]): void {
  const rows = cells.map((r) => r.map(terminalSafe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
