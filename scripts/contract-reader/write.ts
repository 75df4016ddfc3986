#!/usr/bin/env node
/**
 * Regenerates shared/cdr/formats/canonical-fast-contract.ts from canonical-fast.ts (see unroll.ts),
 * formatted and import-sorted by the project's biome, so the file is exactly what this prints.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractReaderSource } from './unroll.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const GENERATED = join(ROOT, 'shared/cdr/formats/canonical-fast-contract.ts');
const SOURCE = join(ROOT, 'shared/cdr/formats/canonical-fast.ts');

/** The generated file as it should read now. */
export function expectedContractReader(): string {
  const raw = contractReaderSource(readFileSync(SOURCE, 'utf8'));
  const biome = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/@biomejs/biome/bin/biome'),
      'check',
      '--write',
      `--stdin-file-path=${GENERATED}`,
    ],
    { input: raw, encoding: 'utf8', cwd: ROOT },
  );
  if (biome.status !== 0) throw new Error(`biome check failed: ${biome.stderr}`);
  return biome.stdout;
}

if (import.meta.main) {
  writeFileSync(GENERATED, expectedContractReader());
  console.log(`wrote ${GENERATED}`);
}
