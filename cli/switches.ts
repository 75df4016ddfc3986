import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/**
 * `traceguard switches import <csv>`: validate the per-switch input configuration
 * (`switch_id,format,timezone`, docs/switch-config.md) and store it where ingest and the traceback
 * lookup read it (ReferenceBucket `reference/switches.csv`).
 */
async function importSwitches(path: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read switch configuration (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const { parseSwitchConfig } = await import('../shared/config/switches.ts');
  // validate before resolving where to write, so a bad file is named even without a stack
  try {
    parseSwitchConfig(text, path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { resolveTarget } = await import('./customers.ts');
  const bucket = await resolveTarget('REFERENCE_BUCKET');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { putSwitchConfig } = await import('../shared/aws/switch-config-store.ts');
  const { config, key } = await putSwitchConfig(createAwsClients().s3, bucket, text, path);
  const lines = config
    .entries()
    .map((e) => `  ${e.switchId}: ${e.format}${e.timezone ? `, ${e.timezone}` : ''}\n`);
  process.stdout.write(
    `imported ${config.size} switch(es) to s3://${bucket}/${key}; ingest and traceback pick it up within 5 minutes\n${lines.join('')}`,
  );
}

export function register(program: Command): void {
  program
    .command('switches')
    .description('Per-switch input configuration: CDR format and time zone of local times')
    .command('import')
    .description(
      'Validate a switch configuration CSV (switch_id,format,timezone) and store it in the ReferenceBucket',
    )
    .argument('<csv>', 'switch configuration CSV')
    .action((path: string) => importSwitches(path));
}
