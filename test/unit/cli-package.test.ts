import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The installed CLI has no TypeScript (Node does not strip types inside node_modules): what
 * `npm pack` ships is bin/traceguard.js and the CLI compiled by `npm run build` (tsconfig.build.json).
 * This builds that layout in a temporary folder, without cli/*.ts beside it, and runs it.
 */
const run = promisify(execFile);
const repo = join(import.meta.dirname, '../..');
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'traceguard-package-'));
  await run(process.execPath, [
    join(repo, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(repo, 'tsconfig.build.json'),
    '--outDir',
    join(root, 'dist'),
  ]);
  mkdirSync(join(root, 'bin'));
  cpSync(join(repo, 'bin/traceguard.js'), join(root, 'bin/traceguard.js'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'traceguard', type: 'module' }));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  run(process.execPath, [join(root, 'bin/traceguard.js'), ...args], {
    cwd: root,
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
  });

/** the CLI run as if by an older node: a preload makes this one report that version */
const cliOnNode = (version: string, bin: string, cwd: string) =>
  run(
    process.execPath,
    [
      '--import',
      `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${version}'});` +
        `Object.defineProperty(process,'version',{value:'v${version}'})`,
      bin,
      '--help',
    ],
    { cwd },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

describe('the packed CLI', () => {
  it('refuses a Node older than 22 with one line, as the repository does one older than 22.18', async () => {
    expect(await cliOnNode('20.20.2', join(root, 'bin/traceguard.js'), root)).toEqual({
      code: 2,
      stderr: 'traceguard needs Node 22 or later; this is v20.20.2\n',
    });
    expect(await cliOnNode('22.5.0', join(repo, 'bin/traceguard.js'), repo)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^traceguard needs Node 22\.18 or later; this is v22\.5\.0; run it as `npx traceguard`/,
      ),
    });
  });

  it('is compiled JavaScript only', () => {
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist/cli/analyze-worker.js'))).toBe(true);
    expect(existsSync(join(root, 'cli'))).toBe(false);
  });

  it('answers --help', async () => {
    const { stdout } = await cli('--help');
    expect(stdout).toMatch(/Usage: traceguard/);
    expect(stdout).toMatch(/analyze/);
  });

  it('analyzes a small CDR file', async () => {
    const header =
      'CALL_ID,CUSTOMER_ID,START_TIME,ANSWER_TIME,END_TIME,DURATION_S,CALLED_NUMBER,CALLING_NUMBER,SIP_CODE,ATTESTATION,VERSTAT,TRUNK_ID,SOURCE_IP';
    const rows = Array.from({ length: 40 }, (_, i) => {
      const start = 1795806000 + i * 30;
      return `c${i},C900,${start},${start + 5},${start + 7},2,+1480718${String(5800 + i)},+12142016166,200,A,TN-Validation-Passed,T900a,203.0.113.7`;
    });
    const file = join(root, 'batch.csv');
    writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
    const { stdout } = await cli('analyze', '--format', 'json', file);
    const report = JSON.parse(stdout);
    expect(report.summary).toMatchObject({ batches: 1, rows: 40, quarantined: 0 });
    expect(Array.isArray(report.findings)).toBe(true);
  });
});
