import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place the ingest side creates SDK v3 clients. Region comes from AWS_REGION (set by
 * Lambda, by the local stack and by the CLI's environment); endpoints from AWS_ENDPOINT_URL_<SERVICE>,
 * which the SDK honours by itself, so the same code talks to AWS or to the local emulators.
 */
export interface AwsClients {
  dynamodb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  sns: SNSClient;
  sqs: SQSClient;
}

export function createAwsClients(
  region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
): AwsClients {
  const dynamodb = new DynamoDBClient({ region });
  return {
    dynamodb,
    doc: documentClientOf(dynamodb),
    s3: new S3Client({ region }),
    sns: new SNSClient({ region }),
    // the endpoint comes from the region or AWS_ENDPOINT_URL_SQS, not from the queue URL's host (the
    // local emulator's queue URLs name a host that does not resolve)
    sqs: new SQSClient({ region, useQueueUrlAsEndpoint: false }),
  };
}

/** Plain JS values in and out; `null` first/last times are kept, `undefined` fields dropped. */
export function documentClientOf(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Counts DynamoDB write requests (one TransactWriteItems = one request) as they leave the client. */
export class DynamoWriteCounter {
  requests = 0;
  /** items written, counting each item of a transaction or batch */
  items = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (WRITE_COMMANDS.has(context.commandName ?? '')) {
          this.requests++;
          const input = args.input as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
          if (input.TransactItems) this.items += input.TransactItems.length;
          else if (input.RequestItems)
            for (const list of Object.values(input.RequestItems)) this.items += list.length;
          else this.items++;
        }
        return next(args);
      },
      { step: 'initialize', name: 'traceguardWriteCounter' },
    );
  }
}
