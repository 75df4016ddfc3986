import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type FunctionProps, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root, so entries resolve the same whatever directory `cdk` or a test runs from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Powertools' metrics namespace and `service` dimension of every function (alarms and dashboard use them). */
export const METRICS_NAMESPACE = 'Traceguard';
export const SERVICE_NAME = 'traceguard';

/**
 * esbuild options of every function. `externalModules` is empty on purpose: CDK leaves `@aws-sdk/*`
 * out by default, and the function would then run whatever SDK the Lambda runtime ships, not the
 * version pinned in package-lock.json that the tests ran against. The whole SDK is bundled instead.
 */
export const FUNCTION_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  sourceMap: true,
  minify: true,
  externalModules: [],
  // ESM bundles need a require shim for the few CommonJS dependencies of the SDK
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
};

export interface TraceguardFunctionProps {
  /** handler file relative to the repository root, e.g. `functions/ingest/handler.ts` */
  entry: string;
  description: string;
  /** KMS key for environment variables and the log group */
  key: IKey;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  reservedConcurrentExecutions?: number;
  /** what invokes it, recorded as metadata for the local runtime (e.g. `sqs:IngestQueue`) */
  trigger?: string;
  extra?: Partial<FunctionProps>;
}

/**
 * Every Traceguard Lambda function with the same defaults, set in one place: Node 24 on arm64, ESM
 * bundle with source maps, X-Ray tracing, a KMS-encrypted log group with retention, and the
 * `traceguard:entry` metadata that lets `local/` run the very same handler module.
 */
export class TraceguardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TraceguardFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.THREE_MONTHS,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every group):
    // this function may write to its own log group and nothing else until a construct grants more.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Traceguard ${props.entry}`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      environmentEncryption: props.key,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: FUNCTION_BUNDLING,
      ...props.extra,
    });
    const cfn = this.node.defaultChild as unknown as { addMetadata(k: string, v: unknown): void };
    cfn.addMetadata('traceguard:entry', props.entry);
    if (props.trigger) cfn.addMetadata('traceguard:trigger', props.trigger);
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (active tracing).',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "CDK's grants for encrypted tables/topics; only on Traceguard's own key ARNs, never Resource *.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          "CDK's read/write grant on encrypted tables; only on Traceguard's own key ARNs, never Resource *.",
      },
    );
  }
}
