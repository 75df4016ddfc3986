import type { Command } from 'commander';
import { registerAuditReading } from './audit-read.ts';

/**
 * `traceguard audit verify [--stream NAME]`: recomputes every hash chain in the Audit table and names
 * the first broken record, checks each case's stream against its case record, and each stream's last
 * record against the stream's head (a chain cut short at its end still holds its hashes). Exit status 0 when every chain holds, 1 when one is broken
 * (tampering or loss), 2 on bad usage: a `--stream` with no records that is no case's stream either
 * (a typo) is an error listing the streams there are, not a broken chain.
 */
export function register(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');
  audit
    .command('verify')
    .description('Verify the hash chains of the audit log')
    .option('--stream <name>', 'verify one stream only (e.g. case#<id> or events)')
    .option('--json', 'print JSON')
    .action(async (options: { stream?: string; json?: boolean }) => {
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
      const { verifyChain } = await import('../shared/audit/chain.ts');
      const { checkTail } = await import('../shared/audit/tail.ts');
      const target = resolveCliTarget();
      const store = new DynamoAuditStore(documentClient(), target.require('AUDIT_TABLE'));
      const cases = await caseRecords(target);
      if (options.stream) {
        const { refuseUnknownStream } = await import('./audit-stream-names.ts');
        await refuseUnknownStream(options.stream, store, cases);
      }
      const streams = options.stream ? [options.stream] : await store.streams();
      const verdicts = [];
      for (const stream of streams) {
        const records = await store.list(stream);
        const verdict = await checkStream(verifyChain(stream, records), records, cases);
        verdicts.push(checkTail(verdict, records, await store.head(stream)));
      }
      if (!options.stream && cases) verdicts.push(...(await openCasesWithoutStream(cases, streams)));
      const broken = verdicts.filter((v) => !v.ok);
      if (options.json) process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
      else {
        for (const v of verdicts) {
          process.stdout.write(
            v.ok
              ? `ok      ${v.stream}: ${v.records} records, head ${v.head.slice(0, 16)}${TAIL_NOTE[v.tail ?? 'anchored']}\n`
              : `BROKEN  ${v.stream}: at record ${v.brokenAt}: ${v.problem}\n`,
          );
        }
        const total = verdicts.reduce((n, v) => n + v.records, 0);
        process.stdout.write(
          broken.length
            ? `${broken.length} of ${verdicts.length} chains broken\n`
            : `${verdicts.length} chains, ${total} records verified\n`,
        );
      }
      if (broken.length) process.exitCode = 1;
    });
  registerAuditReading(audit);
}

/** what a line of `audit verify` adds about a stream's end */
const TAIL_NOTE = {
  anchored: '',
  'not anchored':
    ', tail not anchored (written before stream heads were kept: records cut off its end would not show)',
} as const;

type Verdict = ReturnType<typeof import('../shared/audit/chain.ts').verifyChain>;

/**
 * Open cases whose audit stream holds no record at all: deleting a stream whole leaves no chain to
 * verify, so the walk over the streams there are would not see it; the case record says it existed.
 */
async function openCasesWithoutStream(
  cases: NonNullable<Awaited<ReturnType<typeof caseRecords>>>,
  streams: readonly string[],
): Promise<Verdict[]> {
  const { auditStreams } = await import('../shared/audit/append.ts');
  const known = new Set(streams);
  return (await cases.listOpen())
    .map((c) => auditStreams.forCase(c.caseId))
    .filter((stream) => !known.has(stream))
    .map((stream) => ({
      ok: false as const,
      stream,
      records: 0,
      brokenAt: 0,
      problem: 'an open case on record whose audit stream holds no records',
    }));
}

/** The case records, to check each case stream against (null where no Cases table is known). */
async function caseRecords(target: { optional(name: string): string | undefined }) {
  const table = target.optional('CASES_TABLE');
  if (!table) return null;
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
  return new DynamoCaseStore(documentClient(), table);
}

/**
 * A chain's own verdict, then what its hashes cannot show: an empty stream (a name with no records is
 * nothing verified), and a case stream that lacks what its case record says happened (see
 * missingFromCaseAudit: records deleted from the end leave a chain whose hashes hold).
 */
async function checkStream(
  verdict: Verdict,
  records: readonly unknown[],
  cases: Awaited<ReturnType<typeof caseRecords>>,
): Promise<Verdict> {
  if (!verdict.ok) return verdict;
  if (records.length === 0)
    return { ...verdict, ok: false, brokenAt: 0, problem: 'no records in this stream' };
  const { auditStreams } = await import('../shared/audit/append.ts');
  const caseId = auditStreams.caseOf(verdict.stream);
  if (!cases || caseId === null) return verdict;
  const { missingFromCaseAudit } = await import('../shared/cases/audit-coverage.ts');
  const record = await cases.get(caseId);
  const missing = record
    ? missingFromCaseAudit(record, actionsInOrder(records))
    : 'no case record for this stream';
  return missing ? { ...verdict, ok: false, brokenAt: records.length, problem: missing } : verdict;
}

/** The actions of a chain that verified (so every record has its seq and action), in sequence order. */
function actionsInOrder(records: readonly unknown[]): string[] {
  return (records as Array<{ seq: number; action: string }>)
    .slice()
    .sort((a, b) => a.seq - b.seq)
    .map((r) => r.action);
}
