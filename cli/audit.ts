import type { Command } from 'commander';

/**
 * `traceguard audit verify [--stream NAME]`: recomputes every hash chain in the Audit table and names
 * the first broken record. Exit status 0 when every chain holds, 1 when one is broken (tampering or
 * loss), 2 on bad usage.
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
      const target = resolveCliTarget();
      const store = new DynamoAuditStore(documentClient(), target.require('AUDIT_TABLE'));
      const streams = options.stream ? [options.stream] : await store.streams();
      const verdicts = [];
      for (const stream of streams) verdicts.push(verifyChain(stream, await store.list(stream)));
      const broken = verdicts.filter((v) => !v.ok);
      if (options.json) process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
      else {
        for (const v of verdicts) {
          process.stdout.write(
            v.ok
              ? `ok      ${v.stream}: ${v.records} records, head ${v.head.slice(0, 16)}\n`
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
}
