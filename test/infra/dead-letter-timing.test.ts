import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/traceguard-function.ts';
import { resourcesOfType, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard();
});

/** README's table of how long a failing message is retried before its dead-letter queue: queue -> [retry, total] minutes. */
function readmeTable(): Map<string, [number, number]> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| queue | retried after |');
  expect(start, 'README.md: the table of retries before the dead-letter queue').toBeGreaterThan(0);
  const rows = new Map<string, [number, number]>();
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [queues, retry, total] = line.split('|').slice(1, 4);
    const minutes = (cell: string) => Number(/(\d+) min/.exec(cell)?.[1]);
    for (const name of queues.replace(/\(.*\)/, '').split(','))
      rows.set(name.trim(), [minutes(retry), minutes(total)]);
  }
  return rows;
}

describe('README: how long a failing message is retried before its dead-letter queue', () => {
  it('states, for every work queue, its visibility timeout and visibility timeout x maxReceiveCount', () => {
    const table = readmeTable();
    const workQueues = resourcesOfType(synth.template, 'AWS::SQS::Queue').filter(
      ([, q]) => q.Properties?.RedrivePolicy,
    );
    expect(workQueues.length).toBe(5);
    for (const [id, queue] of workQueues) {
      const name = [...table.keys()].find((n) => new RegExp(`${n}[0-9A-F]{8}$`).test(id));
      expect(name, `${id} is not in the README table`).toBeDefined();
      const visibility = queue.Properties!.VisibilityTimeout as number;
      const receives = queue.Properties!.RedrivePolicy.maxReceiveCount as number;
      expect(table.get(name as string), id).toEqual([visibility / 60, (visibility * receives) / 60]);
    }
  });
});
