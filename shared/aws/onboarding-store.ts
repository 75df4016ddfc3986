import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../detect/customers.ts';
import type { Application } from '../kyc/application.ts';
import type { CheckSources } from '../kyc/assess.ts';
import { customersOnFile } from '../kyc/customers-on-file.ts';
import { type DoNotOnboardEntry, doNotOnboardEntrySchema } from '../kyc/do-not-onboard.ts';
import type { Dossier, ReviewStage } from '../kyc/dossier.ts';
import { holdersFromInventory } from '../kyc/holders.ts';
import type {
  CheckSourcesLoader,
  DoNotOnboardList,
  DossierStore,
  OnboardingRegistry,
  RegisteredCustomer,
  RmdStore,
} from '../kyc/ports.ts';
import type { RmdListing } from '../kyc/rmd.ts';
import type { StoppedCustomerDeps } from '../kyc/suspended-entry.ts';
import { queryAll } from './dynamo-query.ts';
import { putCustomers } from './reference-import.ts';
import { CUSTOMER_PK_PREFIX, customerFromItem, type ReferenceStore } from './reference-store.ts';
import { DynamoReviewTokens } from './review-tokens.ts';

/**
 * The Dossiers table (encrypted with the stack's key): `APP#<id>` / `DOSSIER` and `TOKEN#<stage>`,
 * `CUST#<customer>` / `DOSSIER` pointing at the customer's latest application, `DNO` / `<entry id>`
 * for the do-not-onboard list, `RMD#<number>` / `LISTING` for the imported RMD export.
 */
/** Partition key of the do-not-onboard entries (enforcement may write and delete under this key only). */
export const DO_NOT_ONBOARD_PK = 'DNO';
/** Partition key prefixes of the applications (and their tokens) and of the imported RMD listings. */
export const APPLICATION_PK_PREFIX = 'APP#';
export const RMD_PK_PREFIX = 'RMD#';

export class DynamoDossierStore implements DossierStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #tokens: DynamoReviewTokens;
  /** `tokensTable`: the ReviewTokens table (no reviewer reads it), where the review task tokens are */
  constructor(doc: DynamoDBDocumentClient, table: string, tokensTable?: string) {
    this.#tokens = new DynamoReviewTokens(doc, tokensTable ?? table, table);
    this.#doc = doc;
    this.#table = table;
  }

  async create(dossier: Dossier): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `${APPLICATION_PK_PREFIX}${dossier.applicationId}`, sk: 'DOSSIER', dossier },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
    await this.#pointCustomer(dossier);
    return true;
  }
  async get(applicationId: string): Promise<Dossier | null> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `${APPLICATION_PK_PREFIX}${applicationId}`, sk: 'DOSSIER' },
        ConsistentRead: true,
      }),
    );
    return (out.Item?.dossier as Dossier | undefined) ?? null;
  }
  async save(dossier: Dossier): Promise<void> {
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: `${APPLICATION_PK_PREFIX}${dossier.applicationId}`, sk: 'DOSSIER', dossier },
      }),
    );
    await this.#pointCustomer(dossier);
  }
  /** for the CLI (reviewers may scan; the pipeline's functions never do) */
  async list(): Promise<Dossier[]> {
    const items = await scanAll(this.#doc, {
      TableName: this.#table,
      FilterExpression: 'sk = :d AND begins_with(pk, :app)',
      ExpressionAttributeValues: { ':d': 'DOSSIER', ':app': APPLICATION_PK_PREFIX },
    });
    return items
      .map((item) => item.dossier as Dossier)
      .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  }
  async forCustomer(customerId: string): Promise<Dossier | null> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `${CUSTOMER_PK_PREFIX}${customerId}`, sk: 'DOSSIER' },
      }),
    );
    return out.Item ? this.get(String(out.Item.applicationId)) : null;
  }
  async saveToken(applicationId: string, stage: ReviewStage, token: string): Promise<void> {
    await this.#tokens.save(`${APPLICATION_PK_PREFIX}${applicationId}`, stage, token);
  }
  async getToken(applicationId: string, stage: ReviewStage): Promise<string | null> {
    return this.#tokens.get(`${APPLICATION_PK_PREFIX}${applicationId}`, stage);
  }
  async deleteToken(applicationId: string, stage: ReviewStage): Promise<void> {
    await this.#tokens.delete(`${APPLICATION_PK_PREFIX}${applicationId}`, stage);
  }

  async #pointCustomer(dossier: Dossier): Promise<void> {
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `${CUSTOMER_PK_PREFIX}${dossier.customerId}`,
          sk: 'DOSSIER',
          applicationId: dossier.applicationId,
        },
      }),
    );
  }
}

/**
 * What enforcement reads and writes to keep a terminated or suspended customer on the do-not-onboard
 * list: its dossier, its registry name, the list.
 */
export function stoppedCustomerStores(
  doc: DynamoDBDocumentClient,
  tables: { dossiers: string; customers: string },
): StoppedCustomerDeps {
  return {
    dossiers: new DynamoDossierStore(doc, tables.dossiers),
    registry: new DynamoOnboardingRegistry(doc, tables.customers),
    doNotOnboard: new DynamoDoNotOnboardList(doc, tables.dossiers),
  };
}

/** The do-not-onboard list in the Dossiers table (`DNO` / `<entry id>`). */
export class DynamoDoNotOnboardList implements DoNotOnboardList {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }
  async add(entry: DoNotOnboardEntry): Promise<void> {
    await this.#doc.send(
      new PutCommand({ TableName: this.#table, Item: { pk: DO_NOT_ONBOARD_PK, sk: entry.entry_id, entry } }),
    );
  }
  async remove(entryId: string): Promise<void> {
    await this.#doc.send(
      new DeleteCommand({ TableName: this.#table, Key: { pk: DO_NOT_ONBOARD_PK, sk: entryId } }),
    );
  }
  async list(): Promise<DoNotOnboardEntry[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': DO_NOT_ONBOARD_PK },
    });
    return items.map((item) => doNotOnboardEntrySchema.parse(item.entry));
  }
}

/** The item naming the RMD import in force. */
const RMD_CURRENT = { pk: `${RMD_PK_PREFIX}IMPORT`, sk: 'CURRENT' };

/**
 * The imported RMD export in the Dossiers table: each import writes its listings under its own id
 * (`RMD#<number>` / `LISTING#<import id>`) and then names that import current (`RMD#IMPORT` /
 * `CURRENT`, one item). A provider the FCC removed from the database is in no later import, so its
 * old listing no longer counts, and nothing has to scan the table to delete it; a lookup during an
 * import sees the import before it, whole. Listings of a table written before imports had ids
 * (`LISTING`) count until the first import with one.
 */
export class DynamoRmdStore implements RmdStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }
  async replaceAll(listings: Iterable<RmdListing>): Promise<number> {
    const importId = `${new Date().toISOString()}#${randomUUID()}`;
    let n = 0;
    for (const listing of listings) {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `${RMD_PK_PREFIX}${listing.rmd_number}`, sk: `LISTING#${importId}`, listing },
        }),
      );
      n++;
    }
    // last: until this write, lookups read the import before
    await this.#doc.send(
      new PutCommand({ TableName: this.#table, Item: { ...RMD_CURRENT, importId, listings: n } }),
    );
    return n;
  }
  async get(rmdNumber: string): Promise<RmdListing | null> {
    const current = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: RMD_CURRENT, ConsistentRead: true }),
    );
    const importId = current.Item?.importId as string | undefined;
    const sk = importId === undefined ? 'LISTING' : `LISTING#${importId}`;
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `${RMD_PK_PREFIX}${rmdNumber}`, sk } }),
    );
    return (out.Item?.listing as RmdListing | undefined) ?? null;
  }
}

/**
 * Partition of the roster: one small item per customer that onboarding registered, so the scheduled
 * review lists them with a Query (no function may scan a table).
 */
export const ROSTER_PK = 'ROSTER';

/** Registry writes of onboarding: the profile row ingest reads, plus the track-record dates. */
export class DynamoOnboardingRegistry implements OnboardingRegistry {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async put(customer: RegisteredCustomer): Promise<void> {
    const { tier_since, verified_at, ...profile } = customer;
    await putCustomers(this.#doc, this.#table, [profile as Customer]);
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `${CUSTOMER_PK_PREFIX}${customer.customer_id}`, sk: 'PROFILE' },
        UpdateExpression: 'SET tier_since = :t, verified_at = :v',
        ExpressionAttributeValues: { ':t': tier_since, ':v': verified_at },
      }),
    );
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: ROSTER_PK, sk: `CUST#${customer.customer_id}`, customer_id: customer.customer_id },
      }),
    );
  }
  async get(customerId: string): Promise<RegisteredCustomer | null> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `${CUSTOMER_PK_PREFIX}${customerId}`, sk: 'PROFILE' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? registered(out.Item) : null;
  }
  /** for the scheduled review and the CLI: every customer onboarding registered, from the roster */
  async list(): Promise<RegisteredCustomer[]> {
    const out: RegisteredCustomer[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :r',
          ExpressionAttributeValues: { ':r': ROSTER_PK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const customer = await this.get(String(item.customer_id));
        if (customer) out.push(customer);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

/**
 * The registry row of a customer item, or null for an item that holds no registry row: the case
 * workflow writes a customer's status (suspended, terminated) even for a customer seen only in CDRs,
 * never registered, and such a customer is treated as not in the registry.
 */
function registered(item: Record<string, unknown>): RegisteredCustomer | null {
  const profile = customerFromItem(item);
  if (!profile) return null;
  return {
    ...profile,
    tier_since: String(item.tier_since ?? item.onboarded_at ?? ''),
    verified_at: String(item.verified_at ?? item.onboarded_at ?? ''),
  };
}

/**
 * What the checks read in AWS: the do-not-onboard list and RMD from the Dossiers table, the DNO list
 * and inventory from the reference data ingest uses, and the customers on file from the roster and
 * their dossiers (read by key: the roster is queried, no table is scanned).
 */
export class DynamoCheckSources implements CheckSourcesLoader {
  readonly #dno: DoNotOnboardList;
  readonly #rmd: RmdStore;
  readonly #reference: Pick<ReferenceStore, 'numbers'>;
  readonly #onFile: Parameters<typeof customersOnFile>[0];
  constructor(
    dno: DoNotOnboardList,
    rmd: RmdStore,
    reference: Pick<ReferenceStore, 'numbers'>,
    onFile: Parameters<typeof customersOnFile>[0],
  ) {
    this.#dno = dno;
    this.#rmd = rmd;
    this.#reference = reference;
    this.#onFile = onFile;
  }
  async load(application: Application): Promise<CheckSources> {
    const rmdNumber = application.rmd?.rmd_number;
    const [doNotOnboard, numbers, listing, customers] = await Promise.all([
      this.#dno.list(),
      this.#reference.numbers(),
      rmdNumber ? this.#rmd.get(rmdNumber) : null,
      customersOnFile(this.#onFile),
    ]);
    return {
      doNotOnboard,
      rmd: (n) => (listing && n === listing.rmd_number ? listing : null),
      dno: numbers.dno,
      holders: holdersFromInventory(numbers.inventory),
      customers,
    };
  }
}

/** Every item a Scan returns (reviewers' tools and the scheduled review only; handlers query). */
async function scanAll(
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
