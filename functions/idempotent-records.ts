import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';

/**
 * How long a handled message body is remembered. SNS may deliver one publish twice and a publisher
 * may retry a publish it believes failed; both happen within minutes, a day covers them with margin.
 */
const REMEMBER_SECONDS = 24 * 60 * 60;

/**
 * Wraps an SQS record handler with Powertools idempotency (DynamoDB persistence): the same message
 * body handled again within the window returns the first result without running the handler, so a
 * duplicated ComplianceEvents message pages once and joins the audit chain once. The key is the body,
 * not the SQS message id: a duplicate publish arrives as a second message with its own id.
 *
 * The records live in the Idempotency table (`pk`/`sk` like every Traceguard table, `expiration` as
 * TTL); `pk` is `idempotency#<function name>`, so the two functions never share a record.
 */
export function idempotentRecords<TResult>(
  tableName: string,
  recordHandler: (record: SQSRecord) => Promise<TResult>,
): { handle: (record: SQSRecord) => Promise<TResult>; registerContext: (context: Context) => void } {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'body', expiresAfterSeconds: REMEMBER_SECONDS });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    expiryAttr: 'expiration',
    // honours AWS_ENDPOINT_URL_DYNAMODB, so the local stack uses DynamoDB Local
    awsSdkV3Client: new DynamoDBClient({}),
  });
  return {
    handle: makeIdempotent(recordHandler, { persistenceStore, config }),
    // lets Powertools expire an in-progress record when the invocation times out
    registerContext: (context) => config.registerLambdaContext(context),
  };
}
