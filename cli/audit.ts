import type { Command } from 'commander';
import { registerAuditReading } from './audit-read.ts';

/**
 * `traceguard audit verify [--stream NAME]`: recomputes every hash chain in the Audit table and names
 * the first broken record, checks each case's stream against its case record, and each stream's last
 * record against the stream's head (a chain cut short at its end still holds its hashes). Streams
 * being appended to meanwhile verify as they are (shared/audit/tail.ts readStream), and a case opened
 * moments ago whose first record is not written yet is `pending`. Exit status 0 when every chain holds
 * (pending ones too), 1 when one is broken (tampering or loss), 2 on bad usage: a `--stream` with no
 * records that is no case's stream either (a typo) is an error listing the streams there are, not a
 * broken chain.
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
      const { verifyAuditStreams } = await import('../shared/cases/verify-audit.ts');
      const { counted } = await import('../shared/detect/format.ts');
      const target = resolveCliTarget();
      const store = new DynamoAuditStore(documentClient(), target.require('AUDIT_TABLE'));
      const cases = await caseRecords(target);
      if (options.stream) {
        const { refuseUnknownStream } = await import('./audit-stream-names.ts');
        await refuseUnknownStream(options.stream, store, cases);
      }
      const streams = options.stream ? [options.stream] : await store.streams();
      const verdicts = await verifyAuditStreams(
        { audit: store, cases, now: () => new Date() },
        streams,
        !options.stream,
      );
      const broken = verdicts.filter((v) => !v.ok);
      if (options.json) process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
      else {
        for (const v of verdicts) {
          process.stdout.write(
            !v.ok
              ? `BROKEN  ${v.stream}: at record ${v.brokenAt}: ${v.problem}\n`
              : 'pending' in v
                ? `pending ${v.stream}: ${v.pending}\n`
                : `ok      ${v.stream}: ${v.records} records, head ${v.head.slice(0, 16)}${TAIL_NOTE[v.tail ?? 'anchored']}\n`,
          );
        }
        const total = verdicts.reduce((n, v) => n + v.records, 0);
        const pending = verdicts.filter((v) => 'pending' in v).length;
        process.stdout.write(
          broken.length
            ? `${broken.length} of ${verdicts.length} chains broken\n`
            : `${verdicts.length - pending} chains, ${total} records verified` +
                (pending ? `; ${counted(pending, 'new case')} waiting for a first audit record\n` : '\n'),
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

/** The case records, to check each case stream against (null where no Cases table is known). */
async function caseRecords(target: { optional(name: string): string | undefined }) {
  const table = target.optional('CASES_TABLE');
  if (!table) return null;
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoCaseStore } = await import('../shared/aws/cases-store.ts');
  return new DynamoCaseStore(documentClient(), table);
}
