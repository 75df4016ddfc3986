import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { callerFromArn, UnknownCaller } from '../../shared/review/caller.ts';
import { answerDecisionRequest, type DecisionDeps } from '../../shared/review/decision-request.ts';

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * The decision function's body without its wiring: the caller is the ARN the function URL's IAM
 * authorization verified (`requestContext.authorizer.iam.userArn`), never anything in the body;
 * `executiveRoles` are the role names whose sessions take executive steps.
 */
export function makeDecideHandler(
  deps: DecisionDeps,
  executiveRoles: readonly string[],
): (event: APIGatewayProxyEventV2WithIAMAuthorizer) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const arn = event.requestContext?.authorizer?.iam?.userArn;
    // the URL's AuthType is AWS_IAM, so an unsigned request never gets here; refuse one all the same
    if (!arn)
      return json(401, { error: 'the request carries no verified IAM caller', kind: 'Unauthenticated' });
    let caller: ReturnType<typeof callerFromArn>;
    try {
      caller = callerFromArn(arn, executiveRoles);
    } catch (error) {
      if (error instanceof UnknownCaller) return json(403, { error: error.message, kind: error.name });
      throw error;
    }
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : event.body;
    let body: unknown;
    try {
      body = JSON.parse(text ?? '');
    } catch (error) {
      return json(400, {
        error: `decision request: body is not JSON (${(error as Error).message})`,
        kind: 'InvalidDecisionRequest',
      });
    }
    const answer = await answerDecisionRequest(body, caller, deps);
    return json(answer.statusCode, answer.body);
  };
}
