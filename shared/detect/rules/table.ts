import { SOFT_RULE_MODULES } from './index.ts';
import { leavesOutProviders, type RuleModule } from './rule.ts';

/**
 * The README's rule table, made from the rule modules (a test checks the README holds exactly these
 * lines, so the table cannot drift from the code).
 */
const HARD_ROWS = [
  '| DNO_CALLING_NUMBER | any PSTN call from a caller ID on the Do-Not-Originate list (hard rule) | any call: high, critical from 10 calls and 5% |',
  '| INVALID_CALLING_NUMBER | any PSTN call from a caller ID impossible in the numbering plan, an extension or a reserved fictitious number included (hard rule) | any call: medium, high from 10 calls, critical from 50 calls and 20% |',
  '| CALLS_AFTER_ENFORCEMENT | any PSTN call placed after the customer was suspended or terminated (registry `status` and `status_changed_at`, which the case workflow sets; emergency calls are never counted) (hard rule) | any call: high after a suspension, critical after a termination |',
];

function value(rule: RuleModule, v: number): string {
  return rule.ratio ? `${Math.round(v * 1000) / 10}%` : `${v}${rule.unit ?? ''}`;
}

/** The calls a window needs before the rule judges it (the policy's minAttempts), '-' for a rule with none. */
function gateText(rule: RuleModule): string {
  const gate = (rule.defaults as { minAttempts?: number }).minAttempts;
  return gate === undefined ? '-' : String(gate);
}

function thresholdText(rule: RuleModule): string {
  const d = rule.defaults as {
    threshold: number;
    profiles?: Record<string, { threshold?: number; enabled?: boolean }>;
  };
  const over = Object.entries(d.profiles ?? {});
  const changed = over
    .filter(([, o]) => o.threshold !== undefined)
    .map(([p, o]) => `${p} ${value(rule, o.threshold as number)}`);
  const off = over.filter(([, o]) => o.enabled === false).map(([p]) => p);
  const notes = [...changed, ...(off.length ? [`off for ${off.join(', ')}`] : [])];
  return `${value(rule, d.threshold)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

export function ruleTable(): string[] {
  return [
    '| code | fires when | default threshold | judged from (calls) | signature |',
    '|---|---|---|---|---|',
    ...(SOFT_RULE_MODULES as readonly RuleModule[]).map(
      (r) =>
        `| ${r.code} | ${r.firesWhen}${leavesOutProviders(r) ? ' (provider customers left out)' : ''} | ${thresholdText(r)} | ${gateText(r)} |${r.signature ? ' yes ' : ' '}|`,
    ),
    ...HARD_ROWS.map((row) => `${row} 1 | |`),
  ];
}
