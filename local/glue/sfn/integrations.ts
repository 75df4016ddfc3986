import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../../aws-clients.ts';
import { LambdaInvocationError, type LambdaRunner } from '../lambda-runner.ts';
import { StatesError } from './task-tokens.ts';

export interface IntegrationContext {
  lambda: LambdaRunner;
  clients: LocalClients;
}

const SDK_METADATA = () => ({
  SdkHttpMetadata: { HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: randomUUID() },
});

function withoutMetadata<T extends { $metadata?: unknown }>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _ignored, ...rest } = response;
  return rest;
}

/** SFN names service errors `<Service>.<ExceptionName>`; Lambda errors keep the function's errorType. */
function serviceError(service: string, error: unknown): never {
  const failure = error as Error;
  throw new StatesError(`${service}.${failure.name}`, failure.message);
}

async function invokeLambda(
  context: IntegrationContext,
  functionName: string,
  payload: unknown,
): Promise<unknown> {
  try {
    return await context.lambda.invoke(functionName, payload);
  } catch (error) {
    if (error instanceof LambdaInvocationError) {
      throw new StatesError(
        error.errorType,
        JSON.stringify({ errorType: error.errorType, errorMessage: error.message }),
      );
    }
    throw error;
  }
}

function asMessageText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Runs one Task state's resource locally. `resource` without `.waitForTaskToken` / `.sync`; input
 * is the effective task input (after InputPath and Parameters).
 */
export async function runIntegration(
  resource: string,
  input: unknown,
  context: IntegrationContext,
): Promise<unknown> {
  if (resource.startsWith('arn:aws:lambda:')) return invokeLambda(context, resource, input);
  const parameters = (input ?? {}) as Record<string, unknown>;
  const service = /^arn:aws:states:::([^:]+):(.+)$/.exec(resource);
  if (!service) throw new StatesError('States.Runtime', `Task resource ${resource} is not supported locally`);
  const [, name, action] = service;
  const { clients } = context;
  switch (`${name}:${action}`) {
    case 'lambda:invoke': {
      const payload = await invokeLambda(context, String(parameters.FunctionName), parameters.Payload ?? {});
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200, ...SDK_METADATA() };
    }
    case 'sns:publish': {
      const response = await clients.sns
        .send(
          new PublishCommand({
            ...(parameters as object),
            TopicArn: parameters.TopicArn as string | undefined,
            Message: asMessageText(parameters.Message),
          }),
        )
        .catch((error) => serviceError('SNS', error));
      return { ...withoutMetadata(response), ...SDK_METADATA() };
    }
    case 'sqs:sendMessage': {
      const response = await clients.sqs
        .send(
          new SendMessageCommand({
            ...(parameters as object),
            QueueUrl: parameters.QueueUrl as string,
            MessageBody: asMessageText(parameters.MessageBody),
          }),
        )
        .catch((error) => serviceError('SQS', error));
      return { ...withoutMetadata(response), ...SDK_METADATA() };
    }
    case 'dynamodb:putItem':
      return withoutMetadata(
        await clients.dynamodb
          .send(new PutItemCommand(parameters as never))
          .catch((error) => serviceError('DynamoDB', error)),
      );
    case 'dynamodb:updateItem':
      return withoutMetadata(
        await clients.dynamodb
          .send(new UpdateItemCommand(parameters as never))
          .catch((error) => serviceError('DynamoDB', error)),
      );
    case 'dynamodb:getItem':
      return withoutMetadata(
        await clients.dynamodb
          .send(new GetItemCommand(parameters as never))
          .catch((error) => serviceError('DynamoDB', error)),
      );
    case 'dynamodb:deleteItem':
      return withoutMetadata(
        await clients.dynamodb
          .send(new DeleteItemCommand(parameters as never))
          .catch((error) => serviceError('DynamoDB', error)),
      );
    default:
      throw new StatesError(
        'States.Runtime',
        `Task resource ${resource} is not supported by the local runtime`,
      );
  }
}
