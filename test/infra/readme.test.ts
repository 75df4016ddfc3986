import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, REPO_ROOT } from '../../infra/constructs/traceguard-function.ts';
import { resourcesOfType, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard();
});

const readme = readFileSync(join(REPO_ROOT, 'infra', 'README.md'), 'utf8');

/** The text of a `## <title>` section of infra/README.md, up to the next one. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}`);
  expect(start, `infra/README.md: the ${title} section`).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The `NAME`s in code spans that name a table, bucket, queue URL or ARN the CLI reads. */
const settingsIn = (text: string) =>
  new Set([...text.matchAll(/`([A-Z][A-Z_]*_(?:TABLE|BUCKET|URL|ARN))`/g)].map((m) => m[1]));

/**
 * The settings the CLI reads against AWS: each name a command asks its target for (cli/), and those
 * of the configurations `reconcile` and `day-review` share with their functions.
 */
/**
 * Read by the CLI against the local stack only: there `cases decide` and `customers decide` run the
 * decision code themselves; against AWS the decision function reads the review tokens, no person.
 */
const LOCAL_ONLY = new Set(['REVIEW_TOKENS_TABLE']);

function settingsTheCliReads(): Set<string> {
  const names = new Set<string>();
  const cli = join(REPO_ROOT, 'cli');
  for (const file of readdirSync(cli).filter((f) => f.endsWith('.ts')))
    for (const m of readFileSync(join(cli, file), 'utf8').matchAll(
      /'([A-Z][A-Z_]*_(?:TABLE|BUCKET|URL|ARN))'/g,
    ))
      if (!LOCAL_ONLY.has(m[1])) names.add(m[1]);
  for (const config of ['reconcile-config.ts', 'day-review-config.ts', 'scoring-config.ts'])
    for (const m of readFileSync(join(REPO_ROOT, 'shared', 'aws', config), 'utf8').matchAll(
      /^\s+([A-Z][A-Z_]*_(?:TABLE|BUCKET|URL|ARN)):/gm,
    ))
      names.add(m[1]);
  return names;
}

describe('infra/README.md against the stack', () => {
  it('lists every output of the stack under Outputs', () => {
    const outputs = section('Outputs');
    const missing = Object.keys(synth.template.toJSON().Outputs).filter(
      (name) => !outputs.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });

  it("names each of the stack's own metrics an alarm watches under Alarms", () => {
    const alarms = section('Alarms');
    const metrics = resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties?.Namespace === METRICS_NAMESPACE)
      .map(([, a]) => a.Properties!.MetricName as string);
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.filter((name) => !alarms.includes(`\`${name}\``))).toEqual([]);
  });

  it('exports, in the deployment step, every setting the CLI reads and the page says a command needs', () => {
    // the block that reads the stack's outputs and exports them
    const exported = /describe-stacks[^`]*?```/.exec(readme)?.[0] ?? '';
    expect(exported, 'the export of the CLI settings').not.toBe('');
    const named = new Set([...settingsIn(readme), ...settingsTheCliReads()]);
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((name) => !exported.includes(`${name}=`))).toEqual([]);
  });
});
