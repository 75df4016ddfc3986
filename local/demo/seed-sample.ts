import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateSampleDay } from '../../scripts/sample/generate.ts';
import { putCustomers, putReferenceObject } from '../../shared/aws/reference-import.ts';
import { parseCustomers } from '../../shared/detect/reference.ts';

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

/** Loads the registry, inventory and DNO list where ingest reads them. */
export async function importReference(sampleDir: string, t: SeedTargets): Promise<string> {
  const read = (name: string) => readFileSync(join(sampleDir, name), 'utf8');
  const registry = [...parseCustomers(read('customers.csv'), 'customers.csv').values()];
  await putCustomers(t.doc, t.customersTable, registry);
  const customers = registry.length;
  const numbers = (
    await putReferenceObject(t.s3, t.referenceBucket, 'numbers', read('numbers.csv'), 'numbers.csv')
  ).count;
  const dno = (await putReferenceObject(t.s3, t.referenceBucket, 'dno', read('dno.txt'), 'dno.txt')).count;
  return `${customers} customers, ${numbers} inventory entries, ${dno} DNO numbers`;
}

/** Drops the day's batches into the CDR bucket as the switches would: `cdr/<switch>/...`. */
export async function uploadBatches(
  sampleDir: string,
  t: SeedTargets,
  onEach: (done: number, total: number) => void,
): Promise<number> {
  const files = filesUnder(join(sampleDir, 'cdr'));
  let done = 0;
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const key = `cdr/${relative(join(sampleDir, 'cdr'), file).split('\\').join('/')}`;
      await t.s3.send(new PutObjectCommand({ Bucket: t.cdrBucket, Key: key, Body: readFileSync(file) }));
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
