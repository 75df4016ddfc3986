import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CustomerAttribution } from '../shared/cdr/attribution.ts';
import { INPUT_FORMATS, type InputFormat } from '../shared/cdr/batch-parser.ts';
import { ZoneClock } from '../shared/cdr/time.ts';
import { parseTrunkMap } from '../shared/config/trunks.ts';
import { parseCustomers } from '../shared/detect/customers.ts';
import { loadPolicy, type Policy } from '../shared/detect/policy.ts';
import { emptyReference, parseDno, parseInventory, type ReferenceData } from '../shared/detect/reference.ts';
import { UsageError } from './errors.ts';

/** Files named on the command line, with directories expanded recursively in name order. */
export async function expandInputs(paths: string[]): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      for (const f of entries) out.push({ path: f, size: statSync(f).size });
    } else out.push({ path: p, size: st.size });
  }
  if (out.length === 0) throw new UsageError(`no input files in ${paths.join(', ')}`);
  return out;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

export interface ReferenceOptions {
  customers?: string;
  numbers?: string;
  dno?: string;
  policy?: string;
}

export function loadReference(opts: ReferenceOptions): ReferenceData {
  const ref = emptyReference();
  try {
    if (opts.customers)
      ref.customers = parseCustomers(readText(opts.customers, 'customer registry'), opts.customers);
    if (opts.numbers)
      ref.inventory = parseInventory(readText(opts.numbers, 'number inventory'), opts.numbers);
    if (opts.dno) ref.dno = parseDno(readText(opts.dno, 'DNO list'), opts.dno);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  return ref;
}

export function loadPolicyFile(path: string | undefined): Policy {
  if (!path) return loadPolicy();
  let json: unknown;
  try {
    json = JSON.parse(readText(path, 'policy'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: policy is not valid JSON (${(e as Error).message})`);
  }
  try {
    return loadPolicy(json, path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function parseInputFormat(value: string): InputFormat {
  if (!(INPUT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--input-format must be one of ${INPUT_FORMATS.join(', ')}, got '${value}'`);
  }
  return value as InputFormat;
}

export function parseZone(value: string | undefined): ZoneClock | null {
  if (!value) return null;
  try {
    return new ZoneClock(value);
  } catch (e) {
    throw new UsageError(`--timezone: ${(e as Error).message}`);
  }
}

/**
 * `--trunks F [--switch ID]`: the attribution for native rows without accountcode. A map naming
 * several switches needs --switch (their entries may disagree); `*` entries hold for any switch.
 */
export function loadTrunks(
  path: string | undefined,
  switchId: string | undefined,
): CustomerAttribution | undefined {
  if (!path) {
    if (switchId) throw new UsageError('--switch selects entries of --trunks; give --trunks too');
    return undefined;
  }
  let map: ReturnType<typeof parseTrunkMap>;
  try {
    map = parseTrunkMap(readText(path, 'trunk map'), path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const named = map.switchIds();
  if (switchId === undefined && named.length > 1)
    throw new UsageError(
      `${path}: maps trunks of ${named.length} switches (${named.join(', ')}); say which switch the files came from with --switch ID`,
    );
  return map.forSwitch(switchId ?? named[0] ?? '*');
}
