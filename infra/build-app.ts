import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { TraceguardStack } from './traceguard-stack.ts';

export interface BuiltApp {
  app: App;
  stack: TraceguardStack;
}

/**
 * Builds the Traceguard CDK app. `infra/app.ts` (what `cdk` runs) and the tests and `local/` call this,
 * so all of them synthesize the very same stack. Pass `context: { 'aws:cdk:bundling-stacks': [] }` to
 * skip esbuild when only the template matters.
 */
export function buildTraceguardApp(props: AppProps = {}, options: { nagChecks?: boolean } = {}): BuiltApp {
  const app = new App(props);
  const config = readConfig(app.node);
  const stack = new TraceguardStack(app, `Traceguard-${config.stage}`, {
    config,
    description: `Traceguard robocall-compliance pipeline (${config.stage})`,
    terminationProtection: config.stage !== 'dev',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // cdk-nag v3 runs as a CDK policy-validation plugin: any unacknowledged finding stops synthesis
  // (tests that inspect the template turn it off and run the checks themselves with validateScope)
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
