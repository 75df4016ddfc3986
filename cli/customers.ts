import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registerCustomerBackfillSuspended } from './customer-backfill-suspended.ts';
import { registerCustomerReinstate } from './customer-reinstate.ts';
import { registerCustomerStatus } from './customer-status.ts';
import { UsageError } from './errors.ts';
import { registerOnboarding } from './onboarding.ts';

/**
 * `traceguard customers import <csv>`, `numbers import <csv>`, `dno import <file>`: validate reference
 * data with the same parsers detection uses, then load it where the ingest function reads it
 * (Customers table; ReferenceBucket `reference/numbers.csv`, `reference/dno.txt`).
 */

/**
 * Where to write: names from the environment (`CUSTOMERS_TABLE`, `REFERENCE_BUCKET`, `CDR_BUCKET`),
 * else from `.data/endpoints.json` that the local stack writes (the same lookup every CLI command uses).
 */
export async function resolveTarget(
  name:
    | 'CUSTOMERS_TABLE'
    | 'CASES_TABLE'
    | 'REFERENCE_BUCKET'
    | 'CDR_BUCKET'
    | 'MANIFEST_TABLE'
    | 'DOSSIERS_TABLE',
): Promise<string> {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  try {
    return resolveCliTarget().require(name);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
  }
}

async function readInput(path: string, what: string): Promise<string> {
  const { textOf } = await import('./text-file.ts');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return textOf(bytes, path, what);
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
  const { parseCustomers } = await import('../shared/detect/customers.ts');
  const text = await readInput(path, 'customer registry');
  const customers = await validated(() => parseCustomers(text, path));
  const table = await resolveTarget('CUSTOMERS_TABLE');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { putCustomers } = await import('../shared/aws/reference-import.ts');
  // a merge: a row that leaves out what the customer declared at onboarding keeps it
  await putCustomers(createAwsClients().doc, table, [...customers.values()], new Date(), {
    unstated: 'keep',
  });
  process.stdout.write(`imported ${customers.size} customer(s) into ${table}\n`);
}

async function importReferenceObject(
  kind: 'numbers' | 'dno',
  path: string,
  options: { allowEmpty?: boolean },
): Promise<void> {
  const what = kind === 'dno' ? 'DNO list' : 'number inventory';
  const text = await readInput(path, what);
  const { parseDno, parseInventory } = await import('../shared/detect/reference.ts');
  // validate before resolving where to write, so a bad file is named even without a stack
  const entries = await validated(() =>
    kind === 'dno' ? parseDno(text, path).size : parseInventory(text, path).size,
  );
  // the file replaces the whole list: an empty one (a failed export, the wrong file) would silently
  // switch off every check that reads it, so emptying it takes saying so
  if (entries === 0 && !options.allowEmpty)
    throw new UsageError(
      `${path}: no entries (empty, or only comments or a header): importing it would empty the whole ${what}; nothing imported (use --allow-empty if the list is meant to be emptied)`,
    );
  const bucket = await resolveTarget('REFERENCE_BUCKET');
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  const { putReferenceObject } = await import('../shared/aws/reference-import.ts');
  const { count, key } = await putReferenceObject(createAwsClients().s3, bucket, kind, text, path);
  process.stdout.write(
    // the file is the whole list (unlike the registry, which merges): say so, so nobody imports a
    // few additions and wipes the rest
    `imported ${count} ${kind === 'dno' ? 'DNO number(s)' : 'inventory entr(ies)'} to s3://${bucket}/${key}, replacing the whole ${kind === 'dno' ? 'DNO list' : 'number inventory'} (import the complete file, not additions); ingest judges every batch it reads from now on by ${kind === 'dno' ? 'it' : 'them'} (calls counted before are not judged again)\n`,
  );
}

const ALLOW_EMPTY = '--allow-empty';

export function register(program: Command): void {
  const customers = program
    .command('customers')
    .description('Customer registry in the Customers table, and onboarding of new customers');
  customers
    .command('import')
    .description(
      'Validate a registry CSV (customer_id,name,onboarded_at,vetting,traffic_profile) and load it',
    )
    .argument('<csv>', 'customer registry CSV')
    .action((path: string) => importCustomers(path));
  registerOnboarding(customers, program);
  registerCustomerStatus(customers);
  registerCustomerReinstate(customers);
  registerCustomerBackfillSuspended(customers);
  program
    .command('numbers')
    .description('Number inventory used to check A-attested calls')
    .command('import')
    .description('Validate an inventory CSV (customer_id,number) and store it in the ReferenceBucket')
    .argument('<csv>', 'number inventory CSV')
    .option(ALLOW_EMPTY, 'import a file with no entries: empties the whole number inventory')
    .action((path: string, options: { allowEmpty?: boolean }) =>
      importReferenceObject('numbers', path, options),
    );
  program
    .command('dno')
    .description('Do-Not-Originate list')
    .command('import')
    .description('Validate a DNO list (one number per line, # comments) and store it in the ReferenceBucket')
    .argument('<file>', 'DNO list')
    .option(ALLOW_EMPTY, 'import a file with no numbers: empties the whole DNO list')
    .action((path: string, options: { allowEmpty?: boolean }) => importReferenceObject('dno', path, options));
}
