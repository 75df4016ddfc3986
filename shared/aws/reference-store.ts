import type { S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SwitchConfig } from '../config/switches.ts';
import { type Customer, customerSchema, unknownCustomer } from '../detect/customers.ts';
import { type CustomerDeclarations, type DeclaredColumns, declarationsOf } from '../detect/declarations.ts';
import { loadPolicy, type Policy } from '../detect/policy.ts';
import { NumberInventory, parseDno, parseInventory } from '../detect/reference.ts';
import { TracebackHistory } from '../detect/traceback-history.ts';
import type { ReferenceNumbers, ReferenceSource } from '../ingest/ports.ts';
import { distinctCalls } from '../traceback/history.ts';
import { readTracebackHistory } from './dynamo-query.ts';
import { ObjectBackedCache } from './object-versions.ts';
import { readOptionalText, S3SwitchConfigStore } from './switch-config-store.ts';

/** Reference objects in the ReferenceBucket (docs/wiring.md); `traceguard dno|numbers import` writes them. */
export const DNO_KEY = 'reference/dno.txt';
export const NUMBERS_KEY = 'reference/numbers.csv';
export const REFERENCE_TTL_MS = 5 * 60_000;
/**
 * Partition of the Customers table with one item per customer that declared originating addresses or
 * calling numbers (written with its profile): ingest loads them all with one Query, since every call
 * of such a customer is checked against them.
 */
export const DECLARED_PK = 'DECLARED';
/** Partition key prefix of a customer's items (its profile in the Customers table, `CUST#<id>`). */
export const CUSTOMER_PK_PREFIX = 'CUST#';

export interface ReferenceStoreConfig {
  customersTable: string;
  referenceBucket: string;
  /** S3 key of a policy override in the ReferenceBucket */
  policyKey?: string;
  /** Tracebacks table; when set, TRACEBACK_HISTORY scoring reads `CUSTTB#<customer>` */
  tracebacksTable?: string;
  ttlMs?: number;
  now?: () => number;
}

interface Cached<T> {
  value: T;
  at: number;
}

/** A customer row as the registry import writes it: the CSV's snake_case columns. */
export function customerFromItem(item: Record<string, unknown>): Customer | null {
  const parsed = customerSchema.safeParse({
    customer_id: String(item.customer_id ?? String(item.pk ?? '').replace(/^CUST#/, '')),
    name: String(item.name ?? ''),
    onboarded_at: String(item.onboarded_at ?? ''),
    vetting: item.vetting,
    traffic_profile: item.traffic_profile,
    declared_peak_per_hour: item.declared_peak_per_hour,
    declared_ip_ranges: item.declared_ip_ranges,
    declared_numbers: item.declared_numbers,
    provider: item.provider,
    // written together by the case workflow (cases-customers.ts setStatus); a status without its
    // date cannot say which calls came after it, and must not cost the customer its registry row
    ...(item.statusChangedAt ? { status: item.status, status_changed_at: item.statusChangedAt } : {}),
    ...(item.blockedSince ? { blocked_since: item.blockedSince } : {}),
  });
  return parsed.success ? parsed.data : null;
}

/**
 * The customer detection judges from its Customers table row: the registry row, or, for a customer
 * missing from the registry whose row the case workflow made to suspend or terminate it, a new
 * customer (docs/input-contract.md) with that status, so its calls after the block still count.
 */
export function judgedCustomer(customerId: string, item: Record<string, unknown>): Customer | null {
  const registered = customerFromItem({ customer_id: customerId, ...item });
  if (registered || !item.statusChangedAt) return registered;
  const parsed = customerSchema.safeParse({
    ...unknownCustomer(customerId),
    status: item.status,
    status_changed_at: item.statusChangedAt,
    ...(item.blockedSince ? { blocked_since: item.blockedSince } : {}),
  });
  return parsed.success ? parsed.data : null;
}

/** Every customer's declared addresses and numbers, from the Customers table's DECLARED partition. */
export async function readDeclarations(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<Map<string, CustomerDeclarations>> {
  const rows: DeclaredColumns[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': DECLARED_PK },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const ips = z.array(z.string()).safeParse(item.declared_ip_ranges);
      const numbers = z.array(z.string()).safeParse(item.declared_numbers);
      rows.push({
        customer_id: String(item.customer_id),
        declared_ip_ranges: ips.success ? ips.data : [],
        declared_numbers: numbers.success ? numbers.data : [],
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return declarationsOf(rows);
}

/**
 * Reference data for ingest: DNO list, number inventory, policy and per-switch input configuration
 * (`reference/switches.csv`) from the ReferenceBucket,
 * customer profiles from the Customers table, traceback history from the Tracebacks table. One
 * instance lives in the handler's module scope: a warm function reads the bucket's objects again as
 * soon as one changes (objectVersions, a HEAD each per read), and the tables at most every 5 min.
 */
export class ReferenceStore implements ReferenceSource {
  readonly #doc: DynamoDBDocumentClient;
  readonly #s3: S3Client;
  readonly #config: ReferenceStoreConfig;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #numbers: ObjectBackedCache<ReferenceNumbers>;
  readonly #policy: ObjectBackedCache<Policy>;
  readonly #customers = new Map<string, Cached<Customer | null>>();
  readonly #tracebacks = new Map<string, Cached<number[]>>();
  readonly #switches: S3SwitchConfigStore;

  constructor(doc: DynamoDBDocumentClient, s3: S3Client, config: ReferenceStoreConfig) {
    this.#doc = doc;
    this.#s3 = s3;
    this.#config = config;
    this.#ttl = config.ttlMs ?? REFERENCE_TTL_MS;
    this.#now = config.now ?? Date.now;
    this.#switches = new S3SwitchConfigStore(s3, config.referenceBucket, {
      ttlMs: this.#ttl,
      now: this.#now,
    });
    const cache = { ttlMs: this.#ttl, now: this.#now };
    this.#numbers = new ObjectBackedCache(s3, config.referenceBucket, cache);
    this.#policy = new ObjectBackedCache(s3, config.referenceBucket, cache);
  }

  #fresh<T>(c: Cached<T> | null | undefined): c is Cached<T> {
    return c !== null && c !== undefined && this.#now() - c.at < this.#ttl;
  }

  /** the object's text, or null when it does not exist (reference data is optional) */
  #text(key: string): Promise<string | null> {
    return readOptionalText(this.#s3, this.#config.referenceBucket, key);
  }

  /**
   * DNO list and inventory (read again as soon as either object changes), with the customers'
   * declarations (a table: read again once the TTL is up).
   */
  numbers(): Promise<ReferenceNumbers> {
    return this.#numbers.get([DNO_KEY, NUMBERS_KEY], async () => {
      const bucket = this.#config.referenceBucket;
      const [dnoText, numbersText, declared] = await Promise.all([
        this.#text(DNO_KEY),
        this.#text(NUMBERS_KEY),
        readDeclarations(this.#doc, this.#config.customersTable),
      ]);
      return {
        declarations: declared,
        dno: dnoText === null ? new Set<string>() : parseDno(dnoText, `s3://${bucket}/${DNO_KEY}`),
        inventory:
          numbersText === null
            ? new NumberInventory()
            : parseInventory(numbersText, `s3://${bucket}/${NUMBERS_KEY}`),
      };
    });
  }

  policy(): Promise<Policy> {
    const key = this.#config.policyKey;
    return this.#policy.get(key ? [key] : [], async () => {
      let override: unknown;
      if (key) {
        const text = await this.#text(key);
        if (text === null)
          throw new Error(
            `POLICY_KEY names s3://${this.#config.referenceBucket}/${key}, which does not exist`,
          );
        try {
          override = JSON.parse(text);
        } catch (e) {
          throw new Error(
            `s3://${this.#config.referenceBucket}/${key}: policy is not valid JSON (${(e as Error).message})`,
          );
        }
      }
      return loadPolicy(override, key ? `s3://${this.#config.referenceBucket}/${key}` : 'default policy');
    });
  }

  /** how to read each switch's batches (format, zone of local times); cached like the rest */
  switches(): Promise<SwitchConfig> {
    return this.#switches.switches();
  }

  async customers(customerIds: string[]): Promise<Map<string, Customer>> {
    const missing = customerIds.filter((id) => !this.#fresh(this.#customers.get(id)));
    for (let i = 0; i < missing.length; i += 100) {
      let keys: Array<Record<string, string>> | undefined = missing
        .slice(i, i + 100)
        .map((id) => ({ pk: `CUST#${id}`, sk: 'PROFILE' }));
      const found = new Map<string, Customer | null>(missing.slice(i, i + 100).map((id) => [id, null]));
      for (let round = 0; keys && keys.length > 0 && round < 10; round++) {
        const out = await this.#doc.send(
          new BatchGetCommand({ RequestItems: { [this.#config.customersTable]: { Keys: keys } } }),
        );
        for (const item of out.Responses?.[this.#config.customersTable] ?? []) {
          const id = String(item.pk).replace(/^CUST#/, '');
          found.set(id, judgedCustomer(id, item));
        }
        keys = out.UnprocessedKeys?.[this.#config.customersTable]?.Keys as typeof keys;
        if (keys?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      }
      for (const [id, c] of found) this.#customers.set(id, { value: c, at: this.#now() });
    }
    const out = new Map<string, Customer>();
    for (const id of customerIds) {
      const c = this.#customers.get(id)?.value;
      if (c) out.set(id, c);
    }
    return out;
  }

  async tracebacks(customerIds: string[]): Promise<TracebackHistory | null> {
    const table = this.#config.tracebacksTable;
    if (!table) return null;
    const history = new TracebackHistory();
    for (const id of customerIds) {
      let cached = this.#tracebacks.get(id);
      if (!this.#fresh(cached)) {
        const times = distinctCalls(await readTracebackHistory(this.#doc, table, id))
          .map((h) => Date.parse(h.answeredAt))
          .filter((at) => !Number.isNaN(at));
        cached = { value: times, at: this.#now() };
        this.#tracebacks.set(id, cached);
      }
      for (const t of cached.value) history.add(id, t);
    }
    return history;
  }
}
