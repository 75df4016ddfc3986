import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import defaultPolicyJson from '../../config/policy.default.json' with { type: 'json' };
import type { Reason } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { HARD_RULES, SOFT_RULE_MODULES } from '../../shared/detect/rules/index.ts';
import { ruleTable } from '../../shared/detect/rules/table.ts';

/**
 * The rule modules are the one list: the registry holds every file in rules/ named after a code,
 * the shipped policy says what each module's defaults say, and the README's table is the one the
 * modules make. Regenerate the table with `ruleTable()` after adding a rule.
 */
const RULES_DIR = new URL('../../shared/detect/rules/', import.meta.url);

describe('the rule registry', () => {
  it('holds exactly the rule modules in shared/detect/rules, each exporting its own code', async () => {
    const files = readdirSync(RULES_DIR)
      .filter((f) => /^[A-Z_]+\.ts$/.test(f))
      .map((f) => f.slice(0, -3))
      .sort();
    expect([...SOFT_RULE_MODULES.map((r) => r.code)].sort()).toEqual(files);
    for (const code of files) {
      const mod = (await import(new URL(`${code}.ts`, RULES_DIR).href)) as Record<string, { code: string }>;
      expect(mod[code]?.code).toBe(code);
    }
  });

  it('the shipped policy file says what the modules say', () => {
    const fromModules = Object.fromEntries(SOFT_RULE_MODULES.map((r) => [r.code, r.defaults]));
    expect(defaultPolicyJson.rules).toEqual(fromModules);
  });

  it("the policy schema takes each rule's own fields and refuses a misspelled one", () => {
    expect(loadPolicy({ rules: { ANI_ROTATION: { minDistinct: 50 } } }).rules.ANI_ROTATION.minDistinct).toBe(
      50,
    );
    expect(() => loadPolicy({ rules: { ANI_ROTATION: { minDistinc: 50 } } }, 'p.json')).toThrow(
      /p\.json: rules\.ANI_ROTATION/,
    );
    expect(() => loadPolicy({ rules: { ANI_ROTATON: { threshold: 1 } } }, 'p.json')).toThrow(
      /p\.json: rules/,
    );
  });

  it('the README rule table is the one the modules make', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');
    const start = readme.indexOf(
      '| code | fires when | default threshold | judged from (calls) | signature |',
    );
    expect(start).toBeGreaterThan(-1);
    const table = readme.slice(start, readme.indexOf('', start));
    expect(table).toEqual(ruleTable());
    for (const code of HARD_RULES) expect(table.some((row) => row.startsWith(`| ${code} |`))).toBe(true);
  });

  it('a misspelled reason code does not compile (tsc checks the tests)', () => {
    // @ts-expect-error: SHORT_CALL_RATO is not a rule code
    const typo: Reason = { code: 'SHORT_CALL_RATO', observed: 0, threshold: 0, detail: '' };
    const right: Reason = { code: 'SHORT_CALL_RATIO', observed: 0, threshold: 0, detail: '' };
    expect([typo.code, right.code]).toEqual(['SHORT_CALL_RATO', 'SHORT_CALL_RATIO']);
  });
});
