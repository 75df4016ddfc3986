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
 * A customer's answered tracebacks (Tracebacks table, `pk = CUSTTB#<customer>`, `sk = <traceback_id>`),
 * read by ingest scoring, the case workflow and the traceback store, earliest answer first. Items
 * written before the key was the id alone (`sk = <answeredAt>#<traceback_id>`) may hold one traceback
 * twice; each traceback counts once, at its earliest answer. Every request is returned: readers that
 * count tracebacks count calls (distinctCalls), so two requests about one call count once.
 */
export async function readTracebackHistory(
  doc: DynamoDBDocumentClient,
  table: string,
  customerId: string,
  consistent = false,
): Promise<Array<{ answeredAt: string; tracebackId: string; call?: string }>> {
  const items = await queryAll(doc, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `CUSTTB#${customerId}` },
    ConsistentRead: consistent,
  });
  const byTraceback = new Map<string, { answeredAt: string; tracebackId: string; call?: string }>();
  for (const item of items) {
    const entry = {
      answeredAt: String(item.answeredAt),
      tracebackId: String(item.tracebackId),
      // the call traced back, for counting requests about one call once (traceback/history.ts)
      ...(typeof item.call === 'string' ? { call: item.call } : {}),
    };
    const seen = byTraceback.get(entry.tracebackId);
    if (!seen || entry.answeredAt < seen.answeredAt) byTraceback.set(entry.tracebackId, entry);
  }
  return [...byTraceback.values()].sort((a, b) => a.answeredAt.localeCompare(b.answeredAt));
}
