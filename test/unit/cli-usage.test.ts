import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanApplication } from './kyc-fixtures.ts';

/**
 * What the command says when it is used wrongly: an unknown command, a folder with no local stack,
 * a missing --as. Run as the real command in a child process, from a folder outside the repository
 * and with only PATH and the variables each case sets.
 */
const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [join(repoRoot, 'bin', 'traceguard.js'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('the command line', () => {
  it('an unknown command is an error, exit 2, even asked for its help', async () => {
    for (const [args, unknown] of [
      [['onboarding', '--help'], 'onboarding'],
      [['onboarding'], 'onboarding'],
      [['customers', 'nope', '--help'], 'nope'],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toBe(`error: unknown command '${unknown}'`);
    }
    // a known one still answers --help with exit 0
    const help = await cli(['customers', 'apply', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: traceguard customers apply/);
  }, 30_000);

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('run where no local stack is, says commands use the local stack of the folder they are run from', async () => {
    const r = await cli(['cases', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `traceguard: CASES_TABLE is not set (environment, or ${join(dir, '.data', 'endpoints.json')} from the local stack); ` +
        'no local stack here: commands use the local stack of the project folder they are run from; run this from that folder, ' +
        'or set TRACEGUARD_DATA_DIR to its data folder, or set CASES_TABLE\n',
    );
  });

  it('customers apply against the local stack without --as asks who submits', async () => {
    const application = join(dir, 'application.json');
    writeFileSync(application, JSON.stringify(cleanApplication()));
    const r = await cli(['customers', 'apply', application], {
      DOSSIERS_TABLE: 'Dossiers',
      AUDIT_TABLE: 'Audit',
      AWS_REGION: 'us-east-1',
      // a local endpoint nothing answers at: the command stops before it sends anything
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('traceguard: --as NAME is required against the local stack (who submits)\n');
  });

  it('customers apply refuses a misspelt field by name, with the field it most likely means, before any stack', async () => {
    const application = join(dir, 'misspelt.json');
    writeFileSync(application, JSON.stringify({ ...cleanApplication(), renewing_customer: 'C001' }));
    const r = await cli(['customers', 'apply', application]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `traceguard: ${application}: application: unknown field renewing_customer (did you mean renewing_customer_id?)\n`,
    );
  });

  it('analyze of native CDRs with no time zone names its own --timezone option', async () => {
    const file = join(repoRoot, 'test/fixtures/native/asterisk-no-accountcode.csv');
    const r = await cli(['analyze', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `traceguard: ${file}: asterisk CDRs carry local wall-clock times; give their time zone (--timezone ZONE)\n`,
    );
  });
});
