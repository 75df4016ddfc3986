import { PutObjectCommand } from '@aws-sdk/client-s3';
import { putCustomers, putReferenceObject } from '../../../shared/aws/reference-import.ts';
import { parseCustomers } from '../../../shared/detect/customers.ts';
import type { TestStack } from './test-stack.ts';

/** Loads the customer registry and DNO list where ingest reads them (the `customers|dno import` path). */
export async function loadReference(t: TestStack, customersCsv: string, dnoTxt: string): Promise<void> {
  await putCustomers(t.doc, t.stack.cliEnv.CUSTOMERS_TABLE, [
    ...parseCustomers(customersCsv, 'customers.csv').values(),
  ]);
  await putReferenceObject(t.s3, t.stack.cliEnv.REFERENCE_BUCKET, 'dno', dnoTxt, 'dno.txt');
}

/** Drops batches into the CDR bucket as switches would; the bucket's notification does the rest. */
export async function dropBatches(t: TestStack, batches: Array<{ key: string; body: Buffer | string }>) {
  await Promise.all(
    batches.map((b) =>
      t.s3.send(new PutObjectCommand({ Bucket: t.stack.outputs.CdrBucketName, Key: b.key, Body: b.body })),
    ),
  );
}
