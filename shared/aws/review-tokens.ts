import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Review task tokens, `<owner pk>/TOKEN#<stage>`, in the ReviewTokens table: a token answers its
 * review as whoever holds it, so only the steps that park a review and the decision function can
 * read the table, never a reviewer. A token parked before the tokens moved there is still in its
 * case's or application's own table (`legacyTable`): read there when the new table has none, and
 * deleted from both.
 */
export class DynamoReviewTokens {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #legacyTable: string | undefined;

  constructor(doc: DynamoDBDocumentClient, table: string, legacyTable?: string) {
    this.#doc = doc;
    this.#table = table;
    this.#legacyTable = legacyTable === table ? undefined : legacyTable;
  }

  async save(pk: string, stage: string, token: string): Promise<void> {
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk, sk: `TOKEN#${stage}`, token, savedAt: new Date().toISOString() },
      }),
    );
  }

  async get(pk: string, stage: string): Promise<string | null> {
    for (const table of this.#tables()) {
      const out = await this.#doc.send(
        new GetCommand({ TableName: table, Key: { pk, sk: `TOKEN#${stage}` }, ConsistentRead: true }),
      );
      if (out.Item?.token) return String(out.Item.token);
    }
    return null;
  }

  async delete(pk: string, stage: string): Promise<void> {
    for (const table of this.#tables())
      await this.#doc.send(new DeleteCommand({ TableName: table, Key: { pk, sk: `TOKEN#${stage}` } }));
  }

  #tables(): string[] {
    return this.#legacyTable ? [this.#table, this.#legacyTable] : [this.#table];
  }
}
