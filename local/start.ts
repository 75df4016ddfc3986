import { parseArgs } from 'node:util';
import { startLocalStack } from './stack.ts';
import { synthesizeTemplate } from './template/synthesize.ts';

/**
 * `npm start [-- --fresh] [--data-dir DIR] [--once]`: synthesizes the Traceguard app, starts the local
 * stack and prints the environment other terminals need. `--once` waits until everything queued is
 * processed and stops (for scripts); otherwise it runs until Ctrl-C, then saves state and stops.
 */
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.data' },
    fresh: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
  },
});

const repoRoot = process.cwd();
const templates = await synthesizeTemplate(repoRoot);
const stack = await startLocalStack({
  template: templates,
  dataDir: values['data-dir'],
  fresh: values.fresh,
  repoRoot,
});

process.stdout.write('Traceguard local stack is up. In another shell:\n');
for (const [key, value] of Object.entries(stack.env)) process.stdout.write(`export ${key}=${value}\n`);
for (const [logicalId, resource] of Object.entries(stack.resources)) {
  if (
    ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::DynamoDB::Table'].includes(resource.type)
  ) {
    process.stdout.write(`# ${resource.type.split('::')[1]} ${logicalId} -> ${resource.ref}\n`);
  }
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

if (values.once) {
  try {
    await stack.waitForIdle({ timeoutMs: 10 * 60_000 });
    await shutdown(0);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await shutdown(1);
  }
}
