import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/traceguard-function.ts';
import { requireHandlers } from './synth.ts';

/**
 * SLOW (30-90 s): the one real `cdk synth` WITH esbuild bundling, through the CLI, cdk.json and
 * infra/app.ts, the way a deployment runs. It catches what the fast template tests skip: a handler
 * that does not bundle (bad import, missing dependency), and cdk-nag stopping synthesis.
 */
const outdir = mkdtempSync(join(tmpdir(), 'traceguard-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth with bundling (slow)', () => {
  it('bundles every handler and writes a template', { timeout: 240_000 }, async () => {
    requireHandlers();
    const cdk = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
    const { stderr } = await promisify(execFile)(cdk, ['synth', '--quiet', '--no-notices', '-o', outdir], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`cdk synth failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stderr).not.toMatch(/AwsSolutions-/);

    const template = JSON.parse(readFileSync(join(outdir, 'Traceguard-dev.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['traceguard:entry']);
    expect(functions.length).toBeGreaterThanOrEqual(5);
    // each function's bundle is a staged asset directory holding an ESM index.mjs with its source map
    for (const fn of functions) {
      const asset = fn.Metadata!['aws:asset:path'];
      expect(asset, fn.Metadata!['traceguard:entry']).toBeTruthy();
      expect(readdirSync(join(outdir, asset)).sort(), fn.Metadata!['traceguard:entry']).toEqual(
        expect.arrayContaining(['index.mjs', 'index.mjs.map']),
      );
      // the AWS SDK clients are inside the bundle (the versions the tests ran), not loaded from the
      // Lambda runtime (the SDK's own error texts name optional signer packages; those are not loads)
      const bundle = readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
      expect(bundle, fn.Metadata!['traceguard:entry']).not.toMatch(
        /(from|import\(|require\()\s*["']@aws-sdk\/(client|lib)-/,
      );
      expect(bundle, fn.Metadata!['traceguard:entry']).toMatch(/DynamoDB|SNS|SQS/);
    }
  });
});
