import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAggregateStore } from '../../shared/aws/aggregate-store.ts';
import type { LocalClients } from '../aws-clients.ts';
import type { LocalWiring } from '../template/wiring.ts';

/**
 * On start, before any handler runs, gives back the publish claims the stack's previous run left: a
 * run killed (`kill -9`) between claiming a window and confirming it left its claim standing until
 * its lease ran out (up to 15 minutes), and the restarted ingest of the same batch found it "busy",
 * failed with PublishDeferredError and waited out the queue's 30-minute visibility timeout. The
 * data-folder lock makes every claim found now a dead run's: one stack runs on a folder at a time,
 * and this one has not run a handler yet. In AWS the lease stays the only way a claim ends.
 * Returns how many were given back (0 when the template has no aggregates table).
 */
export async function releaseKilledRunsClaims(wiring: LocalWiring, clients: LocalClients): Promise<number> {
  const table = wiring.functions.map((fn) => fn.environment.AGGREGATES_TABLE).find((t) => t);
  if (!table) return 0;
  const store = new DynamoAggregateStore(DynamoDBDocumentClient.from(clients.dynamodb), table);
  return store.releaseAllClaims();
}
