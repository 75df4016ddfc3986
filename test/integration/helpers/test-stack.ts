import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../local/aws-clients.ts';
import { type LocalResource, type LocalStack, startLocalStack } from '../../../local/stack.ts';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/**
 * One local stack for one test file: its own data folder under the OS temp dir, SDK clients on the
 * emulators, glue errors collected (a test asserts there were none), function output kept in files
 * beside the data (not mixed into the test report), and a stop that removes everything.
 */
export interface TestStack {
  stack: LocalStack;
  /** scratch folder: data dir, function logs, and a cwd for CLI runs outside the repository */
  work: string;
  glueErrors: unknown[];
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  doc: DynamoDBDocumentClient;
  /** the one resource of `type` whose logical ID contains `logicalPart` (DLQs excluded unless asked for) */
  resource(type: string, logicalPart: string): LocalResource;
  tableName(logicalPart: string): string;
  stop(): Promise<void>;
}

/** `work` reuses a scratch folder, keeping the data an earlier stack (or a killed process) left there. */
export async function startTestStack(options: {
  prefix: string;
  template: unknown;
  work?: string;
}): Promise<TestStack> {
  const work = options.work ?? mkdtempSync(join(tmpdir(), `${options.prefix}-`));
  const glueErrors: unknown[] = [];
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      template: options.template,
      dataDir: join(work, 'data'),
      fresh: options.work === undefined,
      repoRoot,
      functionLogDir: join(work, 'logs'),
      onError: (error) => glueErrors.push(error),
    });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const common = { region: stack.env.AWS_REGION, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({ ...common, endpoint: stack.endpoints.s3, forcePathStyle: true });
  const sqs = new SQSClient({ ...common, endpoint: stack.endpoints.sqs });
  const sns = new SNSClient({ ...common, endpoint: stack.endpoints.sns });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb });
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const resource = (type: string, logicalPart: string) => resourceOf(stack, type, logicalPart);
  return {
    stack,
    work,
    glueErrors,
    s3,
    sqs,
    sns,
    doc,
    resource,
    tableName: (logicalPart) => resource('AWS::DynamoDB::Table', logicalPart).name,
    async stop() {
      for (const client of [s3, sqs, sns, dynamodb]) client.destroy();
      await stack.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export function resourceOf(stack: LocalStack, type: string, logicalPart: string): LocalResource {
  const wantDlq = logicalPart.includes('Dlq');
  const found = Object.entries(stack.resources).filter(
    ([id, r]) => r.type === type && id.includes(logicalPart) && (wantDlq || !id.includes('Dlq')),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} whose logical ID contains ${logicalPart}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`,
    );
  }
  return found[0][1];
}
