import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb } from '../../local/emulators/dynamodb.ts';
import { DynamoWriteCounter, documentClientOf } from '../../shared/aws/clients.ts';
import { createPkSkTable } from '../helpers/dynamodb-tables.ts';

/**
 * DynamoDB Local for the ingest integration tests (the local stack's own starter, data in a fresh
 * temporary folder), with fresh tables per scenario, a write counter, and a fault injector that
 * fails chosen calls before the SDK's own retries can hide them.
 */
export interface DynamoHarness {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  writes: DynamoWriteCounter;
  /** every request the client sent, by command name (reads too), for request-count assertions */
  commands: CommandCounter;
  faults: FaultInjector;
  freshTables(): Promise<{ aggregates: string; manifest: string }>;
  scan(table: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export class CommandCounter {
  readonly counts = new Map<string, number>();

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? '').replace(/Command$/, '');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'ingestTestCommandCounter' },
    );
  }

  /** counts since `before` (a copy taken with snapshot()), zero counts left out */
  since(before: Map<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, n] of this.counts)
      if (n > (before.get(name) ?? 0)) out[name] = n - (before.get(name) ?? 0);
    return out;
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
}

export type Fault = (commandName: string, input: Record<string, unknown>) => Error | null;

export class FaultInjector {
  fault: Fault | null = null;
  injected = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const error = this.fault?.(context.commandName ?? '', args.input as Record<string, unknown>) ?? null;
        if (error) {
          this.injected++;
          throw error;
        }
        return next(args);
      },
      { step: 'initialize', name: 'ingestTestFaults' },
    );
  }
}

export function throttling(): Error {
  const e = new Error('Rate of requests exceeds the allowed throughput (injected)');
  e.name = 'ThrottlingException';
  return e;
}

export function transactionConflict(): Error {
  return new TransactionCanceledException({
    message: 'Transaction cancelled: TransactionConflict (injected)',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });
}

let tableSeq = 0;

export async function startDynamoHarness(): Promise<DynamoHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'traceguard-ingest-'));
  const db = await startDynamoDb({ dataDir });
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const writes = new DynamoWriteCounter();
  writes.attach(client);
  const commands = new CommandCounter();
  commands.attach(client);
  const faults = new FaultInjector();
  faults.attach(client);
  const create = (name: string) => createPkSkTable(client, name);
  const doc = documentClientOf(client);
  return {
    client,
    doc,
    writes,
    commands,
    faults,
    async freshTables() {
      const n = ++tableSeq;
      const tables = { aggregates: `Aggregates${n}`, manifest: `Manifest${n}` };
      await Promise.all([create(tables.aggregates), create(tables.manifest)]);
      return tables;
    },
    async scan(table) {
      const items: Array<Record<string, unknown>> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      client.destroy();
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
