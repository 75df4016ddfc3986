import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/** A configuration file's text; an unreadable file is a usage error naming it. */
async function readConfig(path: string, what: string): Promise<string> {
  const { readFileSync } = await import('node:fs');
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Validates first (so a bad file is named even without a stack), then finds the ReferenceBucket. */
async function validatedThenBucket(
  validate: () => void,
): Promise<{ bucket: string; s3: import('@aws-sdk/client-s3').S3Client }> {
  try {
    validate();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { resolveTarget } = await import('./customers.ts');
  const bucket = await resolveTarget('REFERENCE_BUCKET');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  return { bucket, s3: createAwsClients().s3 };
}

/**
 * `traceguard switches import <csv>`: validate the per-switch input configuration
 * (`switch_id,format,timezone`, docs/switch-config.md) and store it where ingest and the traceback
 * lookup read it (ReferenceBucket `reference/switches.csv`).
 */
async function importSwitches(path: string): Promise<void> {
  const text = await readConfig(path, 'switch configuration');
  const { parseSwitchConfig } = await import('../shared/config/switches.ts');
  const { bucket, s3 } = await validatedThenBucket(() => parseSwitchConfig(text, path));
  const { putSwitchConfig } = await import('../shared/aws/switch-config-store.ts');
  const { config, key } = await putSwitchConfig(s3, bucket, text, path);
  const lines = config
    .entries()
    .map((e) => `  ${e.switchId}: ${e.format}${e.timezone ? `, ${e.timezone}` : ''}\n`);
  process.stdout.write(
    `imported ${config.size} switch(es) to s3://${bucket}/${key}; ingest and traceback read every batch with it from now on\n${lines.join('')}`,
  );
}

/**
 * `traceguard trunks import <csv>`: validate the trunk map (`switch_id,trunk,customer_id`) and store
 * it beside the switch configuration (ReferenceBucket `reference/trunks.csv`), where ingest reads it.
 */
async function importTrunks(path: string): Promise<void> {
  const text = await readConfig(path, 'trunk map');
  const { parseTrunkMap } = await import('../shared/config/trunks.ts');
  const { bucket, s3 } = await validatedThenBucket(() => parseTrunkMap(text, path));
  const { putTrunkMap } = await import('../shared/aws/switch-config-store.ts');
  const { trunks, key } = await putTrunkMap(s3, bucket, text, path);
  const perSwitch = new Map<string, number>();
  for (const e of trunks.entries()) perSwitch.set(e.switchId, (perSwitch.get(e.switchId) ?? 0) + 1);
  const lines = [...perSwitch].map(([id, n]) => `  ${id === '*' ? '* (every switch)' : id}: ${n} trunk(s)\n`);
  process.stdout.write(
    `imported ${trunks.size} trunk mapping(s) to s3://${bucket}/${key}; ingest reads every batch with it from now on\n${lines.join('')}`,
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
  program
    .command('trunks')
    .description('Trunk map: the customer behind each switch trunk, for native CDRs without accountcode')
    .command('import')
    .description(
      'Validate a trunk map CSV (switch_id,trunk,customer_id; trunk = peer name, address or CIDR) and store it in the ReferenceBucket',
    )
    .argument('<csv>', 'trunk map CSV')
    .action((path: string) => importTrunks(path));
}
