import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../detect/customers.ts';
import { parseDno, parseInventory } from '../detect/reference.ts';
import { forEachLimited } from '../ingest/parallel.ts';
import { CUSTOMER_PK_PREFIX, DECLARED_PK, DNO_KEY, NUMBERS_KEY } from './reference-store.ts';

/**
 * Loading reference data where ingest reads it (docs/wiring.md): registry rows into the Customers
 * table (`CUST#<id>` / `PROFILE`, the CSV's snake_case columns), the DNO list and number inventory
 * into the ReferenceBucket. Used by `traceguard customers|numbers|dno import` and by `npm start`.
 * Inputs are validated with the parsers detection uses, so a bad file fails before anything is written.
 */
export async function putCustomers(
  doc: DynamoDBDocumentClient,
  table: string,
  customers: Customer[],
  now = new Date(),
): Promise<void> {
  // update, not put: the enforcement status (warned, suspended...) belongs to the case workflow
  await forEachLimited(customers, 8, async (c) => {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `${CUSTOMER_PK_PREFIX}${c.customer_id}`, sk: 'PROFILE' },
        UpdateExpression:
          'SET customer_id = :id, #name = :name, onboarded_at = :on, vetting = :vetting, traffic_profile = :profile, declared_peak_per_hour = :peak, declared_ip_ranges = :ips, declared_numbers = :nums, provider = :provider, #status = if_not_exists(#status, :active), importedAt = :at',
        ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
        ExpressionAttributeValues: {
          ':id': c.customer_id,
          ':name': c.name,
          ':on': c.onboarded_at,
          ':vetting': c.vetting,
          ':profile': c.traffic_profile,
          ':peak': c.declared_peak_per_hour ?? null,
          ':ips': c.declared_ip_ranges ?? null,
          ':nums': c.declared_numbers ?? null,
          ':provider': c.provider ?? null,
          ':active': 'active',
          ':at': now.toISOString(),
        },
      }),
    );
    // ingest checks every call against the declarations, so it loads them all with one Query
    const key = { pk: DECLARED_PK, sk: `CUST#${c.customer_id}` };
    if (c.declared_ip_ranges?.length || c.declared_numbers?.length)
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...key,
            customer_id: c.customer_id,
            declared_ip_ranges: c.declared_ip_ranges ?? [],
            declared_numbers: c.declared_numbers ?? [],
          },
        }),
      );
    else {
      // declarations withdrawn (a renewal without them): empty the item if there is one; never a
      // delete, which no function may do on the registry, and nothing written for the many
      // customers that never declared anything
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'SET declared_ip_ranges = :none, declared_numbers = :none',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':none': [] },
          }),
        );
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      }
    }
  });
}

export type ReferenceObjectKind = 'dno' | 'numbers';

/** Validates and stores the DNO list or number inventory; returns how many entries it holds. */
export async function putReferenceObject(
  s3: S3Client,
  bucket: string,
  kind: ReferenceObjectKind,
  text: string,
  source: string,
): Promise<{ count: number; key: string }> {
  const count = kind === 'dno' ? parseDno(text, source).size : parseInventory(text, source).size;
  const key = kind === 'dno' ? DNO_KEY : NUMBERS_KEY;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      // bytes of known length: a string body, empty at least, makes the SDK warn about a stream of
      // unknown length
      Body: Buffer.from(text, 'utf8'),
      ContentType: kind === 'dno' ? 'text/plain; charset=utf-8' : 'text/csv; charset=utf-8',
    }),
  );
  return { count, key };
}
