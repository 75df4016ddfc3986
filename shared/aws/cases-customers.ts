import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerStatus, Vetting } from '../cases/model.ts';
import type {
  CustomerProfile,
  CustomerRegistry,
  TracebackHistory,
  TracebackHistoryEntry,
} from '../cases/ports.ts';
import { StatusChangedMeanwhile } from '../cases/status-changed.ts';
import { STATUSES, VETTING } from '../detect/customers.ts';
import { readTracebackHistory } from './dynamo-query.ts';

const VETTING_TIERS = new Set<string>(VETTING);
const STATUS = new Set<string>(STATUSES);

/**
 * The Customers table (`CUST#<customer>/PROFILE`). Reads both the registry CSV's snake_case column
 * names and camelCase, since the row is written by the registry loader.
 */
export class DynamoCustomerRegistry implements CustomerRegistry {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async get(customerId: string): Promise<CustomerProfile | null> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `CUST#${customerId}`, sk: 'PROFILE' } }),
    );
    const item = out.Item;
    if (!item) return null;
    const vetting = String(item.vetting ?? 'new');
    const status = String(item.status ?? 'active');
    const text = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
    return {
      customerId,
      name: text(item.name),
      vetting: (VETTING_TIERS.has(vetting) ? vetting : 'new') as Vetting,
      onboardedAt: text(item.onboarded_at ?? item.onboardedAt),
      trafficProfile: text(item.traffic_profile ?? item.trafficProfile),
      status: (STATUS.has(status) ? status : 'active') as CustomerStatus,
      statusReason: text(item.statusReason),
      statusChangedAt: text(item.statusChangedAt),
    };
  }

  async setStatus(
    customerId: string,
    status: CustomerStatus,
    why: string,
    expected?: CustomerStatus,
  ): Promise<void> {
    // the date is when the status last changed: detection judges the calls after it
    // (CALLS_AFTER_ENFORCEMENT), so a second case suspending a suspended customer keeps it
    const unchanged = 'attribute_not_exists(#s) OR #s <> :s';
    // a profile without a status is active, as get reads it
    const stillExpected = expected === 'active' ? 'attribute_not_exists(#s) OR #s = :e' : '#s = :e';
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `CUST#${customerId}`, sk: 'PROFILE' },
          // when the calls first had to stop: kept from a suspension into the termination after it
          UpdateExpression:
            status === 'suspended' || status === 'terminated'
              ? 'SET #s = :s, statusReason = :why, statusChangedAt = :at, blockedSince = if_not_exists(blockedSince, :at)'
              : 'SET #s = :s, statusReason = :why, statusChangedAt = :at REMOVE blockedSince',
          ConditionExpression: expected === undefined ? unchanged : `(${stillExpected}) AND (${unchanged})`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':s': status,
            ':why': why.slice(0, 1000),
            ':at': new Date().toISOString(),
            ...(expected === undefined ? {} : { ':e': expected }),
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // which half failed: already in `status` (its date kept), or changed since `expected`
      const now = (await this.get(customerId))?.status ?? 'active';
      if (expected !== undefined && now !== expected)
        throw new StatusChangedMeanwhile(customerId, expected, now);
      if (now === status) await this.#keepStatusNewReason(customerId, status, why);
    }
  }

  /**
   * A decision that leaves the status as it is (a case suspending a customer suspended at once)
   * records its reason, so `customers status` tells the latest decision; the date stays the change's.
   */
  async #keepStatusNewReason(customerId: string, status: CustomerStatus, why: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `CUST#${customerId}`, sk: 'PROFILE' },
          UpdateExpression: 'SET statusReason = :why',
          ConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status, ':why': why.slice(0, 1000) },
        }),
      );
    } catch (error) {
      // changed again meanwhile: that change's reason stands
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /**
   * The ids of every customer in `status`, registered or seen only in CDRs: a scan of the table, so
   * for the CLI run by a person (the suspended customers' backfill), never for a function.
   */
  async withStatus(status: CustomerStatus): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'begins_with(pk, :cust) AND sk = :profile AND #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':cust': 'CUST#', ':profile': 'PROFILE', ':s': status },
          ProjectionExpression: 'pk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.pk).slice('CUST#'.length));
      start = page.LastEvaluatedKey;
    } while (start);
    return ids.sort();
  }
}

/** Traceback history items `CUSTTB#<customer>` / `<traceback_id>` in the Tracebacks table. */
export class DynamoTracebackHistory implements TracebackHistory {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async forCustomer(customerId: string): Promise<TracebackHistoryEntry[]> {
    return readTracebackHistory(this.#doc, this.#table, customerId);
  }
}
