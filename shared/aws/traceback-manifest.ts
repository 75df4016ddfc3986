import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { BatchRef, ManifestReader } from '../traceback/batches.ts';

/** docs/wiring.md: hour index item `HOUR#<yyyy-mm-ddThh>` / `<switch>#<batchId>`. */
const hourItemSchema = z.looseObject({
  pk: z.string(),
  sk: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  // null for a batch from an unversioned bucket (the manifest then identifies it by ETag)
  versionId: z.string().nullish(),
  switch: z.string().min(1),
  firstMs: z.number(),
  lastMs: z.number(),
});

/** Reads the batch manifest's hour partitions: one query per hour, whatever the archive holds. */
export class DynamoManifestReader implements ManifestReader {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  /** queries made (tests check that lookups stay pruned) */
  queries = 0;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.#doc = doc;
    this.#table = table;
  }

  async batchesInHour(hourKey: string): Promise<BatchRef[]> {
    const batches: BatchRef[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      this.queries++;
      const out = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `HOUR#${hourKey}` },
          ExclusiveStartKey: start,
        }),
      );
      for (const raw of out.Items ?? []) {
        const parsed = hourItemSchema.safeParse(raw);
        if (!parsed.success) {
          const issues = parsed.error.issues
            .map((i) => `${i.path.join('.') || 'item'}: ${i.message}`)
            .join('; ');
          throw new Error(
            `${this.#table} HOUR#${hourKey} / ${String(raw.sk)}: not a manifest hour item (${issues})`,
          );
        }
        const item = parsed.data;
        batches.push({
          batchId: item.sk.slice(item.switch.length + 1),
          name: item.key,
          switchId: item.switch,
          firstMs: item.firstMs,
          lastMs: item.lastMs,
          bucket: item.bucket,
          versionId: item.versionId || undefined,
        });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return batches;
  }
}
