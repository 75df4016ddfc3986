import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NamedTemplate } from './cfn-template.ts';

interface SynthesizableApp {
  synth(): { stacks: Array<{ stackName: string; template: unknown }> };
}

/** The templates of every stack of a CDK app, synthesized in this process. */
export function templatesOf(app: SynthesizableApp): NamedTemplate[] {
  return app.synth().stacks.map((stack) => ({ stackName: stack.stackName, template: stack.template }));
}

/**
 * Builds Traceguard's CDK app in-process through `infra/build-app.ts` (`buildTraceguardApp`), with
 * esbuild bundling skipped (`aws:cdk:bundling-stacks: []`: the local runtime runs the handler sources,
 * not bundles) and cdk-nag off (it gates deployments, not local runs). Returns one template per stack.
 */
export async function synthesizeTemplate(repoRoot: string): Promise<NamedTemplate[]> {
  const buildApp = join(repoRoot, 'infra', 'build-app.ts');
  if (!existsSync(buildApp)) throw new Error(`${buildApp} not found: cannot synthesize the Traceguard app`);
  const module = (await import(pathToFileURL(buildApp).href)) as {
    buildTraceguardApp?: (props: object, options: { nagChecks: boolean }) => { app: SynthesizableApp };
  };
  if (typeof module.buildTraceguardApp !== 'function') {
    throw new Error(`${buildApp} does not export buildTraceguardApp(props, options)`);
  }
  const { app } = module.buildTraceguardApp(
    { context: { 'aws:cdk:bundling-stacks': [] } },
    { nagChecks: false },
  );
  return templatesOf(app);
}
