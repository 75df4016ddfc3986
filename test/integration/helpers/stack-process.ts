import { readFileSync } from 'node:fs';
import { startLocalStack } from '../../../local/stack.ts';
import { repoRoot } from './test-stack.ts';

/**
 * The local stack in a process of its own, so a test can kill it with SIGKILL as a crash would.
 * Usage: node stack-process.ts <dataDir> <template.json> <logDir>. Prints `ready` once every resource
 * exists (the CLI environment is in `<dataDir>/endpoints.json`), then runs until killed.
 */
const [dataDir, templateFile, logDir] = process.argv.slice(2);
await startLocalStack({
  template: JSON.parse(readFileSync(templateFile, 'utf8')),
  dataDir,
  repoRoot,
  functionLogDir: logDir,
  onError: (error) => process.stderr.write(`stack-process: ${String(error)}\n`),
});
process.stdout.write('ready\n');
