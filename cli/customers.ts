import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from './errors.ts';

/**
 * `traceguard customers import <csv>`, `numbers import <csv>`, `dno import <file>`: validate reference
 * data with the same parsers detection uses, then load it where the ingest function reads it
 * (Customers table; ReferenceBucket `reference/numbers.csv`, `reference/dno.txt`).
 */

const endpointsFile = z.object({ env: z.record(z.string(), z.string()) });

/**
 * Where to write: names from the environment (`CUSTOMERS_TABLE`, `REFERENCE_BUCKET`, `CDR_BUCKET`),
 * else from `.data/endpoints.json` that the local stack writes (`{ "env": { ... } }`, which also
 * carries the AWS_ENDPOINT_URL_* and fake credentials of the emulators; those fill in only what the
 * environment does not set).
 */
export function resolveTarget(name: 'CUSTOMERS_TABLE' | 'REFERENCE_BUCKET' | 'CDR_BUCKET'): string {
  const file = resolve('.data/endpoints.json');
  if (existsSync(file)) {
    let parsed: z.infer<typeof endpointsFile>;
    try {
      parsed = endpointsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new UsageError(
        `${file}: expected {"env": {NAME: value, ...}} (${(e as Error).message.split('\n')[0]})`,
      );
    }
    for (const [k, v] of Object.entries(parsed.env)) process.env[k] ??= v;
  }
  const value = process.env[name];
  if (!value) {
    throw new UsageError(
      `${name} is not set: export it, or start the local stack (npm start) which writes ${file}`,
    );
  }
  return value;
}

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Parser errors (ReferenceDataError names file and line) become usage errors: exit 2, one line. */
async function validated<T>(parse: () => T): Promise<T> {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function importCustomers(path: string): Promise<void> {
  const { parseCustomers } = await import('../shared/detect/reference.ts');
  const customers = await validated(() => parseCustomers(readInput(path, 'customer registry'), path));
  const table = resolveTarget('CUSTOMERS_TABLE');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { forEachLimited } = await import('../shared/ingest/parallel.ts');
  const { doc } = createAwsClients();
  // update, not put: the enforcement status (warned, suspended...) belongs to the case workflow
  await forEachLimited([...customers.values()], 8, async (c) => {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `CUST#${c.customer_id}`, sk: 'PROFILE' },
        UpdateExpression:
          'SET customer_id = :id, #name = :name, onboarded_at = :on, vetting = :vetting, traffic_profile = :profile, #status = if_not_exists(#status, :active), importedAt = :at',
        ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
        ExpressionAttributeValues: {
          ':id': c.customer_id,
          ':name': c.name,
          ':on': c.onboarded_at,
          ':vetting': c.vetting,
          ':profile': c.traffic_profile,
          ':active': 'active',
          ':at': new Date().toISOString(),
        },
      }),
    );
  });
  process.stdout.write(`imported ${customers.size} customer(s) into ${table}\n`);
}

async function importReferenceObject(kind: 'numbers' | 'dno', path: string): Promise<void> {
  const reference = await import('../shared/detect/reference.ts');
  const { DNO_KEY, NUMBERS_KEY } = await import('../shared/aws/reference-store.ts');
  const text = readInput(path, kind === 'dno' ? 'DNO list' : 'number inventory');
  const count = await validated(() =>
    kind === 'dno' ? reference.parseDno(text, path).size : reference.parseInventory(text, path).size,
  );
  const bucket = resolveTarget('REFERENCE_BUCKET');
  const key = kind === 'dno' ? DNO_KEY : NUMBERS_KEY;
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { s3 } = createAwsClients();
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: text,
      ContentType: kind === 'dno' ? 'text/plain; charset=utf-8' : 'text/csv; charset=utf-8',
    }),
  );
  process.stdout.write(
    `imported ${count} ${kind === 'dno' ? 'DNO number(s)' : 'inventory entr(ies)'} to s3://${bucket}/${key}; ingest picks them up within 5 minutes\n`,
  );
}

export function register(program: Command): void {
  program
    .command('customers')
    .description('Customer registry in the Customers table')
    .command('import')
    .description(
      'Validate a registry CSV (customer_id,name,onboarded_at,vetting,traffic_profile) and load it',
    )
    .argument('<csv>', 'customer registry CSV')
    .action((path: string) => importCustomers(path));
  program
    .command('numbers')
    .description('Number inventory used to check A-attested calls')
    .command('import')
    .description('Validate an inventory CSV (customer_id,number) and store it in the ReferenceBucket')
    .argument('<csv>', 'number inventory CSV')
    .action((path: string) => importReferenceObject('numbers', path));
  program
    .command('dno')
    .description('Do-Not-Originate list')
    .command('import')
    .description('Validate a DNO list (one number per line, # comments) and store it in the ReferenceBucket')
    .argument('<file>', 'DNO list')
    .action((path: string) => importReferenceObject('dno', path));
}
