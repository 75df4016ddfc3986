import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateSampleDay } from '../../scripts/sample/generate.ts';
import {
  ASTERISK_FILE,
  ASTERISK_SWITCH,
  FREESWITCH_FILE,
  FREESWITCH_SWITCH,
  NATIVE_ZONE,
} from '../../scripts/sample/switches.ts';
import { putCustomers, putReferenceObject } from '../../shared/aws/reference-import.ts';
import { putSwitchConfig } from '../../shared/aws/switch-config-store.ts';
import { parseCustomers } from '../../shared/detect/customers.ts';

export interface SeedTargets {
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient;
  customersTable: string;
  referenceBucket: string;
  cdrBucket: string;
  tracebackQueueUrl: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The seeded sample day (written once per data folder, same seed every time). */
export function ensureSample(dir: string): void {
  if (!existsSync(join(dir, 'expected.json')))
    generateSampleDay({ out: dir, seed: 20261127, day: '2026-11-27', scale: 1 });
}

/** The sample's native PBXs write local New York time: the switch configuration says so. */
export function sampleSwitchConfig(): string {
  return [
    'switch_id,format,timezone',
    `${ASTERISK_SWITCH},asterisk,${NATIVE_ZONE}`,
    `${FREESWITCH_SWITCH},freeswitch,${NATIVE_ZONE}`,
    '',
  ].join('\n');
}

/** The sample's native files as the PBXs would drop them: one Master.csv per switch for the day. */
export function nativeBatches(sampleDir: string): Array<{ file: string; key: string }> {
  const { day } = JSON.parse(readFileSync(join(sampleDir, 'expected.json'), 'utf8')) as { day: string };
  return [
    { file: join(sampleDir, ASTERISK_FILE), key: `cdr/${ASTERISK_SWITCH}/${day}/Master.csv` },
    { file: join(sampleDir, FREESWITCH_FILE), key: `cdr/${FREESWITCH_SWITCH}/${day}/Master.csv` },
  ].filter((b) => existsSync(b.file));
}

/**
 * Loads the registry, inventory, DNO list and switch configuration where ingest reads them. The
 * switch configuration is also written beside the sample (`switches.csv`), for
 * `traceguard switches import`.
 */
export async function importReference(sampleDir: string, t: SeedTargets): Promise<string> {
  const read = (name: string) => readFileSync(join(sampleDir, name), 'utf8');
  const registry = [...parseCustomers(read('customers.csv'), 'customers.csv').values()];
  await putCustomers(t.doc, t.customersTable, registry);
  const customers = registry.length;
  const numbers = (
    await putReferenceObject(t.s3, t.referenceBucket, 'numbers', read('numbers.csv'), 'numbers.csv')
  ).count;
  const dno = (await putReferenceObject(t.s3, t.referenceBucket, 'dno', read('dno.txt'), 'dno.txt')).count;
  const switchesFile = join(sampleDir, 'switches.csv');
  if (!existsSync(switchesFile)) writeFileSync(switchesFile, sampleSwitchConfig());
  const switches = (await putSwitchConfig(t.s3, t.referenceBucket, read('switches.csv'), 'switches.csv'))
    .config.size;
  return `${customers} customers, ${numbers} inventory entries, ${dno} DNO numbers, ${switches} switch configurations`;
}

/**
 * Drops the day's batches into the CDR bucket as the switches would: the canonical batches under
 * `cdr/<switch>/...`, and the native PBX files (read with the switch configuration importReference
 * loaded, so load that first) as `cdr/<pbx>/<day>/Master.csv`.
 */
export async function uploadBatches(
  sampleDir: string,
  t: SeedTargets,
  onEach: (done: number, total: number) => void,
): Promise<number> {
  const files = [
    ...filesUnder(join(sampleDir, 'cdr')).map((file) => ({
      file,
      key: `cdr/${relative(join(sampleDir, 'cdr'), file).split('\\').join('/')}`,
    })),
    ...nativeBatches(sampleDir),
  ];
  let done = 0;
  const queue = [...files];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await t.s3.send(
        new PutObjectCommand({ Bucket: t.cdrBucket, Key: next.key, Body: readFileSync(next.file) }),
      );
      onEach(++done, files.length);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return files.length;
}

/** Sends the day's industry traceback requests to the traceback queue. */
export async function submitTracebacks(sampleDir: string, t: SeedTargets): Promise<number> {
  const files = filesUnder(join(sampleDir, 'tracebacks')).filter((f) => f.endsWith('.json'));
  for (const f of files) {
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: t.tracebackQueueUrl, MessageBody: readFileSync(f, 'utf8') }),
    );
  }
  return files.length;
}
