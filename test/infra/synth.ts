import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTraceguardApp } from '../../infra/build-app.ts';
import { REPO_ROOT } from '../../infra/constructs/traceguard-function.ts';

/** The handler files the stack bundles; synthesis needs them to exist (docs/wiring.md). */
export const HANDLERS = [
  'ingest',
  'notify-oncall',
  'start-case',
  'write-audit',
  'traceback-request',
  'traceback-deadline',
  'case-step',
  'reconcile-batches',
  'onboarding-step',
  'decide',
] as const;

export function requireHandlers(): void {
  const missing = HANDLERS.map((name) => `functions/${name}/handler.ts`).filter(
    (entry) => !existsSync(join(REPO_ROOT, entry)),
  );
  if (missing.length > 0) {
    throw new Error(
      `Cannot synthesize the stack: missing handler file(s) ${missing.join(', ')}. ` +
        'Each function/<name>/handler.ts must exist (see docs/wiring.md).',
    );
  }
}

/** Build the app as `cdk synth` would, minus esbuild (skuba's trick) and minus the nag plugin. */
export function synthTraceguard(context: Record<string, unknown> = {}) {
  requireHandlers();
  const built = buildTraceguardApp(
    { context: { 'aws:cdk:bundling-stacks': [], ...context } },
    { nagChecks: false },
  );
  return { ...built, template: Template.fromStack(built.stack) };
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; tests walk it and assert its shape
type Json = any;
export type CfnResource = {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
};

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

/** The logical id of the one resource of `type` whose logical id contains / matches `hint` (else fails). */
export function logicalIdOf(template: Template, type: string, hint: string | RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) =>
    typeof hint === 'string' ? id.includes(hint) : hint.test(id),
  );
  if (ids.length !== 1) throw new Error(`expected one ${type} matching "${hint}", found [${ids.join(', ')}]`);
  return ids[0];
}

/** The Lambda function whose `traceguard:entry` metadata is `functions/<name>/handler.ts`. */
export function functionByHandler(template: Template, name: string): [string, CfnResource] {
  const entry = `functions/${name}/handler.ts`;
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(
    ([, r]) => r.Metadata?.['traceguard:entry'] === entry,
  );
  if (found.length !== 1)
    throw new Error(`expected one function with traceguard:entry ${entry}, found ${found.length}`);
  return found[0];
}
