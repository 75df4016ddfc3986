import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';

/**
 * Security checks the infra tests (test/infra/iam.test.ts, escalation.test.ts) leave open: callback
 * permissions checked with IAM wildcard semantics over the whole synthesized app, and no secret in
 * any tracked file. (CDR deletes and audit rewrites are already asserted in test/infra.)
 */
const repoRoot = join(import.meta.dirname, '..', '..');

interface Statement {
  Effect: string;
  Action: string | string[];
}
interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** Does the IAM action pattern (`states:Send*`, `*`) grant `action`? */
const grants = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

describe('least privilege over the whole synthesized app', () => {
  it('only the case functions and the decision function may answer Step Functions callbacks (SendTaskSuccess / Failure / Heartbeat)', async () => {
    const resources: Record<string, Resource> = {};
    for (const { template } of await synthesizeTemplate(repoRoot))
      Object.assign(resources, (template as { Resources: Record<string, Resource> }).Resources);
    const entryOfRole = new Map<string, string>();
    for (const r of Object.values(resources)) {
      const role = (r.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
      if (r.Type === 'AWS::Lambda::Function' && role)
        entryOfRole.set(role, String(r.Metadata?.['traceguard:entry'] ?? 'no traceguard:entry'));
    }
    const callers = new Set<string>();
    for (const r of Object.values(resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const doc = r.Properties?.PolicyDocument as { Statement: Statement[] };
      const roles = ((r.Properties?.Roles ?? []) as Array<{ Ref: string }>).map((x) => x.Ref);
      for (const s of doc.Statement) {
        if (s.Effect !== 'Allow') continue;
        const actions = [s.Action].flat();
        const answers = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'].some(
          (a) => actions.some((p) => grants(p, a)),
        );
        if (answers)
          for (const role of roles) callers.add(entryOfRole.get(role) ?? `role ${role} (not a function)`);
      }
    }
    // the decide function answers a reviewer's decision, under the identity IAM verified
    const allowed = new Set([
      'functions/case-step/handler.ts',
      'functions/start-case/handler.ts',
      'functions/decide/handler.ts',
    ]);
    expect([...callers].filter((c) => !allowed.has(c))).toEqual([]);
  });
});

describe('secrets', () => {
  const PATTERNS: Array<[string, RegExp]> = [
    ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['AWS secret key assignment', /aws_secret_access_key\s*[=:]\s*['"]?[A-Za-z0-9/+]{40}/i],
    ['Slack token', /\bxox[abprs]-[0-9A-Za-z-]{10,}/],
    ['GitHub token', /\bgh[pousr]_[0-9A-Za-z]{36}\b/],
    ['password literal', /\bpassword\s*[:=]\s*['"][^'"\s]{8,}['"]/i],
  ];

  it('no tracked file holds an access key, private key, token or password literal', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f !== '' && !/\.(png|jpg|gz|zip|db|lock)$/.test(f) && f !== 'package-lock.json');
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(repoRoot, file), 'utf8');
      } catch {
        continue; // listed but not present in this work tree
      }
      if (file === 'test/reliability/security.test.ts') continue; // the patterns themselves
      for (const [what, pattern] of PATTERNS) if (pattern.test(text)) found.push(`${file}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('the pattern list does catch a planted key (the check can fail)', () => {
    const planted = `const key = "AKIA${'ABCDEFGHIJKLMNOP'}";\npassword: "hunter2hunter2"`;
    expect(PATTERNS.filter(([, p]) => p.test(planted)).map(([w]) => w)).toEqual([
      'AWS access key id',
      'password literal',
    ]);
  });
});
