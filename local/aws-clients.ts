import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Credentials are never checked by the emulators; fixed fake keys keep the SDK from looking further. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'LOCALTRACEGUARD',
  secretAccessKey: 'local-secret-not-checked',
};

export interface LocalEndpoints {
  s3: string;
  sqs: string;
  sns: string;
  dynamodb: string;
  sfn: string;
}

export interface LocalClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  destroy(): void;
}

/** SDK clients for the runtime's own glue; the S3 endpoint is a loopback IP so the SDK uses path style. */
export function localClients(endpoints: LocalEndpoints, region: string): LocalClients {
  const common = { region, credentials: LOCAL_CREDENTIALS };
  const clients = {
    s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
    sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** Environment for handlers, CLI tools and tests: the standard SDK variables pointing at the emulators. */
export function localAwsEnvironment(endpoints: LocalEndpoints, region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    // the S3 endpoint is an IP address, which makes SDK v3 use path-style URLs by itself
  };
}
