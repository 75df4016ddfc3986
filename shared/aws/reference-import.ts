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
/** Registry columns a row may leave out: what the customer declared at onboarding, and `provider`. */
const OPTIONAL_FIELDS = [
  'declared_peak_per_hour',
  'declared_ip_ranges',
  'declared_numbers',
  'provider',
] as const;

export interface PutCustomersOptions {
  /**
   * What a row that leaves an optional field out means. 'withdraw' (onboarding, which writes the
   * whole dossier's profile): the customer has none, so a renewal without declarations withdraws
   * them. 'keep' (`customers import`, a merge): the file does not say, so what is stored stays. A
   * registry refresh from a billing export once erased every onboarded customer's declarations, and
   * with them the checks against them.
   */
  unstated: 'withdraw' | 'keep';
}

export async function putCustomers(
  doc: DynamoDBDocumentClient,
  table: string,
  customers: Customer[],
  now = new Date(),
  options: PutCustomersOptions = { unstated: 'withdraw' },
): Promise<void> {
  const keep = options.unstated === 'keep';
  // update, not put: the enforcement status (warned, suspended...) belongs to the case workflow
  await forEachLimited(customers, 8, async (c) => {
    const values: Record<string, unknown> = {
      ':id': c.customer_id,
      ':name': c.name,
      ':on': c.onboarded_at,
      ':vetting': c.vetting,
      ':profile': c.traffic_profile,
      ':active': 'active',
      ':at': now.toISOString(),
    };
    const sets = [
      'customer_id = :id',
      '#name = :name',
      'onboarded_at = :on',
      'vetting = :vetting',
      'traffic_profile = :profile',
      '#status = if_not_exists(#status, :active)',
      'importedAt = :at',
    ];
    for (const field of OPTIONAL_FIELDS) {
      if (keep && c[field] === undefined) continue;
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = c[field] ?? null;
    }
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `${CUSTOMER_PK_PREFIX}${c.customer_id}`, sk: 'PROFILE' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    await putDeclarations(doc, table, c, keep);
  });
}

/**
 * The customer's item under DECLARED_PK: ingest checks every call against the declarations, so it
 * loads them all with one Query. With `keep`, only the lists the row states are written.
 */
async function putDeclarations(
  doc: DynamoDBDocumentClient,
  table: string,
  c: Customer,
  keep: boolean,
): Promise<void> {
  const key = { pk: DECLARED_PK, sk: `CUST#${c.customer_id}` };
  if (keep) {
    const stated = (['declared_ip_ranges', 'declared_numbers'] as const).filter((f) => c[f] !== undefined);
    if (stated.length === 0) return;
    // the list the row leaves out stays as stored, or starts empty on a new item
    const sets = (['declared_ip_ranges', 'declared_numbers'] as const).map((f) =>
      stated.includes(f) ? `${f} = :${f}` : `${f} = if_not_exists(${f}, :none)`,
    );
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET customer_id = :id, ${sets.join(', ')}`,
        ExpressionAttributeValues: {
          ':id': c.customer_id,
          ':none': [],
          ...Object.fromEntries(stated.map((f) => [`:${f}`, c[f]])),
        },
      }),
    );
    return;
  }
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
