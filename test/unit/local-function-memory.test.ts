import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../local/template/cfn-template.ts';
import { TemplateResolver } from '../../local/template/intrinsics.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { readWiring } from '../../local/template/wiring.ts';
import { fixtureLambda, fixtureRunner } from '../helpers/fixture-lambdas.ts';

/**
 * A local function has the memory the template gives it (Powertools logs it as function_memory_size):
 * ingest and traceback-request 1,024 MB, as deployed, not one size for all.
 */
const runner = fixtureRunner([
  fixtureLambda('Big', 'big', 'test/fixtures/local/handlers/report-memory.ts', 30, 1024),
]);

describe('local function memory', () => {
  it("reads each function's MemorySize from the synthesized template", async () => {
    const templates = loadTemplates(await synthesizeTemplate(process.cwd()));
    const { functions } = readWiring(new TemplateResolver(templates, 'us-east-1', new Map()));
    const declared = (logicalId: string) =>
      Number(templates.resources.get(logicalId)?.Properties?.MemorySize ?? 128);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions)
      expect([fn.logicalId, fn.memorySizeMb]).toEqual([fn.logicalId, declared(fn.logicalId)]);
    const byEntry = (name: string) => functions.find((fn) => fn.entry === `functions/${name}/handler.ts`);
    expect(byEntry('ingest')?.memorySizeMb).toBe(1024);
    expect(byEntry('traceback-request')?.memorySizeMb).toBe(1024);
  });

  it('gives the handler that size in its context and environment', async () => {
    expect(await runner.invoke('big', {})).toEqual({ memoryLimitInMB: '1024', environment: '1024' });
  });
});
