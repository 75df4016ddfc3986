import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/**
 * `traceguard audit show --stream NAME [--since TIME] [--json]`: a stream's records, oldest first,
 * one line each (phone numbers masked; `--json` prints them as stored). `traceguard audit streams
 * [--json]`: every stream with how many records it holds. Reading only: `audit verify` says whether
 * what is shown is intact.
 */
export function registerAuditReading(audit: Command): void {
  audit
    .command('show')
    .description('The records of one audit stream, oldest first')
    .requiredOption('--stream <name>', 'the stream (e.g. track-record, events, customer#<id>, case#<id>)')
    .option('--since <time>', 'only records appended at or after this ISO 8601 date or UTC time')
    .option('--json', 'print the records as stored (numbers unmasked)')
    .action(async (options: { stream: string; since?: string; json?: boolean }) => {
      const { parseSince, auditRecordLine } = await import('./audit-text.ts');
      const since = options.since === undefined ? null : parseSince(options.since);
      if (options.since !== undefined && since === null)
        throw new UsageError(
          `--since '${options.since}' must be an ISO 8601 date or UTC time (2026-11-28 or 2026-11-28T10:00:00Z)`,
        );
      const store = await auditStore();
      const { refuseUnknownStream } = await import('./audit-stream-names.ts');
      await refuseUnknownStream(options.stream, store, null);
      const records = (await store.list(options.stream)).filter(
        (r) => since === null || appendedAt(r) >= since.getTime(),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
        return;
      }
      for (const record of records) process.stdout.write(`${auditRecordLine(record)}\n`);
      process.stdout.write(
        `${records.length} record(s)${since ? ` since ${since.toISOString()}` : ''} in ${options.stream}\n`,
      );
    });

  audit
    .command('streams')
    .description('Every audit stream, with how many records it holds')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const counts = await (await auditStore()).recordCounts();
      if (options.json) {
        const streams = [...counts].map(([stream, records]) => ({ stream, records }));
        process.stdout.write(`${JSON.stringify(streams, null, 2)}\n`);
        return;
      }
      const { terminalSafe } = await import('./terminal-text.ts');
      for (const [stream, records] of counts) process.stdout.write(`${terminalSafe(stream)}\t${records}\n`);
      process.stdout.write(`${counts.size} stream(s)\n`);
    });
}

async function auditStore() {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
  return new DynamoAuditStore(documentClient(), resolveCliTarget().require('AUDIT_TABLE'));
}

/** a record's time as a number, NaN for one without (shown by no --since: `audit verify` names it) */
function appendedAt(record: unknown): number {
  const at = (record as { at?: unknown } | null)?.at;
  return typeof at === 'string' ? Date.parse(at) : Number.NaN;
}
