import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage } from '../../cli/exit-on-error.ts';
import { localEndpointsFile, resolveCliTarget } from '../../shared/aws/cases-endpoints.ts';

/** The CLI finds a local stack started with `npm start -- --data-dir DIR` through TRACEGUARD_DATA_DIR. */
describe('where the CLI finds the local stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'traceguard-endpoints-'));
  afterEach(() => {
    delete process.env.TRACEGUARD_DATA_DIR;
    delete process.env.TRACEGUARD_TEST_TABLE;
  });

  it('reads the endpoints file of the data folder TRACEGUARD_DATA_DIR names, else .data here', () => {
    expect(localEndpointsFile()).toBe(join(process.cwd(), '.data', 'endpoints.json'));
    writeFileSync(
      join(dir, 'endpoints.json'),
      JSON.stringify({ env: { TRACEGUARD_TEST_TABLE: 'Cases-probe' } }),
    );
    process.env.TRACEGUARD_DATA_DIR = dir;
    expect(localEndpointsFile()).toBe(join(dir, 'endpoints.json'));
    const target = resolveCliTarget();
    expect(target.require('TRACEGUARD_TEST_TABLE')).toBe('Cases-probe');
    expect(target.source).toBe(join(dir, 'endpoints.json'));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('when the local stack is not running', () => {
  it('says so instead of printing the socket error alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:36433'), {
      code: 'ECONNREFUSED',
    });
    expect(errorMessage(refused)).toBe(
      'nothing answers at 127.0.0.1:36433, where the local stack was: start it with npm start (connect ECONNREFUSED 127.0.0.1:36433)',
    );
    // a remote endpoint refusing is not the local stack: the message stays as it was
    expect(errorMessage(new Error('connect ECONNREFUSED 10.1.2.3:443'))).toBe(
      'connect ECONNREFUSED 10.1.2.3:443',
    );
    expect(errorMessage('plain')).toBe('plain');
  });

  it('a command run outside the project folder, with no AWS region either, says where to run it', () => {
    expect(errorMessage(new Error('Region is missing'))).toMatch(
      /^Region is missing: no AWS region is set \(AWS_REGION\) and no local stack was found from this folder \(run the command from the project folder/,
    );
  });
});
