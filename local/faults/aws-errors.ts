import { randomUUID } from 'node:crypto';

/**
 * Error responses shaped byte for byte like the real services' (status, `__type` or XML `Code`,
 * request-id headers), so the SDK classifies them as it would in AWS: throttling and 5xx are retried
 * by the SDK's own retry strategy before the caller ever sees them.
 */
export interface AwsErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const DYNAMODB_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

function dynamoError(status: number, type: string, message: string, extra: object = {}): AwsErrorResponse {
  const requestId = randomUUID().replaceAll('-', '').toUpperCase();
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: type, message, ...extra }),
  };
}

export const dynamoErrors = {
  provisionedThroughputExceeded: () =>
    dynamoError(
      400,
      `${DYNAMODB_PREFIX}ProvisionedThroughputExceededException`,
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    ),
  throttling: () =>
    dynamoError(
      400,
      'com.amazon.coral.availability#ThrottlingException',
      'Rate of requests exceeds the allowed throughput.',
    ),
  internalServerError: () =>
    dynamoError(500, `${DYNAMODB_PREFIX}InternalServerError`, 'Internal server error'),
  /** what a transaction that met another one on the same item answers (`Message` with capital M, as AWS sends it) */
  transactionConflict: (items: number, conflictingIndex: number) => {
    const reasons = Array.from({ length: items }, (_, i) =>
      i === conflictingIndex
        ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
        : { Code: 'None' },
    );
    const requestId = randomUUID().replaceAll('-', '').toUpperCase();
    return {
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: JSON.stringify({
        __type: `${DYNAMODB_PREFIX}TransactionCanceledException`,
        CancellationReasons: reasons,
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      }),
    };
  },
};

/** SNS speaks the AWS Query protocol: XML error documents, `Type` Sender (4xx) or Receiver (5xx). */
function snsError(status: number, code: string, message: string): AwsErrorResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
      `<Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

export const snsErrors = {
  internalError: () =>
    snsError(500, 'InternalError', 'Request could not be completed due to an internal error.'),
  throttled: () => snsError(400, 'Throttling', 'Rate exceeded'),
  kmsThrottling: () => snsError(400, 'KMSThrottling', 'The request was denied due to request throttling.'),
};
