import { describe, expect, it } from 'vitest';
import { logNames } from '../../local/glue/lambda-runner.ts';
import type { LocalFunctionSpec } from '../../local/template/wiring.ts';

const fn = (logicalId: string, entry: string): LocalFunctionSpec => ({
  logicalId,
  name: logicalId.toLowerCase(),
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
  entry,
  handlerExport: 'handler',
  environment: {},
  timeoutSeconds: 30,
  memorySizeMb: 512,
});

describe('function log files', () => {
  it('are named after the function, as the README says (.data/logs/ingest.log), not its CDK logical id', () => {
    const names = logNames([
      fn('StatelessIngestIngestFunction52A24CEF', 'functions/ingest/handler.ts'),
      fn('StatelessIngestDayReviewFunction6B18A2FD', 'functions/review-days/handler.ts'),
      fn('StepA1', 'functions/case-step/handler.ts'),
      fn('StepB2', 'functions/case-step/handler.ts'),
      fn('Fixture9', 'test/fixtures/local/handlers/step.ts'),
    ]);
    expect(Object.fromEntries(names)).toEqual({
      StatelessIngestIngestFunction52A24CEF: 'ingest',
      StatelessIngestDayReviewFunction6B18A2FD: 'review-days',
      // two functions of one handler keep a file each
      StepA1: 'StepA1',
      StepB2: 'StepB2',
      Fixture9: 'Fixture9',
    });
  });
});
