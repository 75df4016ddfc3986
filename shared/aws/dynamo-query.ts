import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every item a Query returns, following LastEvaluatedKey through all pages. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * A customer's answered tracebacks (Tracebacks table, `pk = CUSTTB#<customer>`,
 * `sk = <answeredAt>#<traceback_id>`), read by ingest scoring, the case workflow and the traceback store.
 */
export async function readTracebackHistory(
  doc: DynamoDBDocumentClient,
  table: string,
  customerId: string,
  consistent = false,
): Promise<Array<{ answeredAt: string; tracebackId: string }>> {
  const items = await queryAll(doc, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `CUSTTB#${customerId}` },
    ConsistentRead: consistent,
  });
  return items.map((item) => {
    const sk = String(item.sk);
    const split = sk.indexOf('#');
    return { answeredAt: sk.slice(0, split), tracebackId: sk.slice(split + 1) };
  });
}
