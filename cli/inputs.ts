import { type BigIntStats, lstatSync, readFileSync, type Stats, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CustomerAttribution } from '../shared/cdr/attribution.ts';
import { INPUT_FORMATS, type InputFormat } from '../shared/cdr/batch-parser.ts';
import { decodeBatch } from '../shared/cdr/decode.ts';
import { defaultPlausibility, type Plausibility } from '../shared/cdr/plausibility.ts';
import { parseTimestamp, switchZoneProblem, ZoneClock } from '../shared/cdr/time.ts';
import { ANY_SWITCH, parseTrunkMap } from '../shared/config/trunks.ts';
import { parseCustomers } from '../shared/detect/customers.ts';
import { declarationsOf } from '../shared/detect/declarations.ts';
import { loadPolicy, type Policy } from '../shared/detect/policy.ts';
import {
  emptyReference,
  type NumberInventory,
  parseDno,
  parseInventory,
  type ReferenceData,
} from '../shared/detect/reference.ts';
import { DecodedContent } from '../shared/ingest/decoded-content.ts';
import { UsageError } from './errors.ts';
import { fileChunks } from './file-chunks.ts';
import { terminalSafe } from './terminal-text.ts';
import { textOf } from './text-file.ts';

/** Why a path cannot be opened, in words (a self-looping symlink is not "no such file"). */
function statProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ELOOP') return 'symbolic link loop (the link points back to itself)';
  if (code === 'EACCES') return 'permission denied';
  return `cannot read (${code ?? (e as Error).message})`;
}

/** What a directory walk left out, counted for one warning line. */
export interface Skipped {
  hidden: number;
  special: number;
  links: number;
  /**
   * files and directories reached again (named twice, named and inside a named directory, or through
   * a link): read once
   */
  repeated: number;
  /**
   * files with the same lines as an earlier one under another name (a batch sent twice): read once,
   * each with the file it repeats, which was read
   */
  sameContent: Array<{ path: string; sameAs: string }>;
}

/**
 * Files named on the command line, with directories expanded recursively in name order. A named path
 * that is a FIFO, socket or device is refused (reading a FIFO with no writer blocks forever). In
 * directories, hidden entries, special files and symbolic links that loop or lead nowhere are
 * skipped and counted (`onSkipped` hears the totals once); a linked directory already walked is not
 * walked again, so a link to a parent cannot loop. A file or directory reached a second time by any
 * path is read once (counted as repeated): reading it twice would count every call in it twice. Files
 * are told apart by device and inode, read as bigints (a Number may round an inode into another's).
 */
export async function expandInputs(
  paths: string[],
  onSkipped: (skipped: Skipped) => void = warnSkipped,
): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  const skipped: Skipped = { hidden: 0, special: 0, links: 0, repeated: 0, sameContent: [] };
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  for (const p of paths) {
    let st: BigIntStats;
    try {
      st = statSync(p, { bigint: true });
    } catch (e) {
      throw new UsageError(`${p}: ${statProblem(e)}`);
    }
    if (st.isDirectory()) {
      const found: Array<{ path: string; size: number; stats: BigIntStats }> = [];
      await walk(p, st, found, skipped, seenDirs);
      appendInPathOrder(out, found, (f) => firstTime(seenFiles, f.stats, skipped));
    } else if (st.isFile()) {
      if (firstTime(seenFiles, st, skipped)) out.push({ path: p, size: Number(st.size) });
    } else throw new UsageError(`${p}: is ${specialKind(st)}, not a CDR file`);
  }
  const distinct = await withoutSameContent(out, skipped);
  if (skipped.hidden + skipped.special + skipped.links + skipped.repeated + skipped.sameContent.length > 0)
    onSkipped(skipped);
  if (distinct.length === 0) throw new UsageError(`no input files in ${paths.join(', ')}`);
  return distinct;
}

/**
 * The files, each content once: a file with the same lines as an earlier one (a switch's batch sent
 * again under another name, a copy in another folder, the same batch gzipped, with a byte-order mark,
 * other line ends or no final one) is left out and counted, as the pipeline's ingest records such a
 * batch as a repeat: both go by the same key of a batch's lines (DecodedContent). Files are first told
 * apart by the first HEAD_BYTES of their lines, one read each (a gzip file's start inflated), and only
 * files whose start another file shares are read in full: batches nearly always differ within their
 * first rows, and a file shorter than that is known whole from its one read. Empty files hold no
 * calls and are kept.
 */
async function withoutSameContent(
  files: Array<{ path: string; size: number }>,
  skipped: Skipped,
): Promise<Array<{ path: string; size: number }>> {
  if (files.length < 2) return files;
  // one after the other: a folder of a month's batches must not open them all at once
  const heads: Array<LinesKey | null> = [];
  for (const f of files) heads.push(f.size > 0 ? await linesKey(f.path, HEAD_BYTES) : null);
  const byHead = new Map<string, number>();
  for (const head of heads) if (head !== null) byHead.set(head.key, (byHead.get(head.key) ?? 0) + 1);
  // each key's first file, the one read
  const seen = new Map<string, string>();
  const out: Array<{ path: string; size: number }> = [];
  for (const [i, f] of files.entries()) {
    const head = heads[i];
    const key =
      head === null || (byHead.get(head.key) ?? 0) < 2
        ? null
        : head.whole
          ? head.key
          : ((await linesKey(f.path))?.key ?? null);
    const first = key === null ? undefined : seen.get(key);
    if (first !== undefined) {
      skipped.sameContent.push({ path: f.path, sameAs: first });
      continue;
    }
    if (key !== null) seen.set(key, f.path);
    out.push(f);
  }
  return out;
}

/** bytes of a file's lines that tell it from the other inputs before any is read in full */
const HEAD_BYTES = 64 * 1024;

interface LinesKey {
  key: string;
  /** the key is of all the file's lines, not of their first bytes only */
  whole: boolean;
}

/**
 * The key of a file's lines (DecodedContent, the key ingest claims a batch's lines by), or of their
 * first `limit` bytes, decoded as analyze reads it (gzip known by its bytes, never its name). null
 * when the file cannot be read or decoded: it is kept, and its read says what is wrong with it.
 */
async function linesKey(path: string, limit?: number): Promise<LinesKey | null> {
  const content = new DecodedContent(limit);
  try {
    for await (const chunk of decodeBatch(fileChunks(path, 0, limit), path)) {
      content.update(chunk);
      if (content.full) break;
    }
  } catch {
    return null;
  }
  return { key: content.key(), whole: !content.full };
}

/**
 * Appends a directory's files to `out` in path order (those `keep` admits), one by one: spread into
 * push(), a directory of 130,000 batches (a month of five-minute batches from a few switches)
 * overflowed the call stack.
 */
export function appendInPathOrder<T extends { path: string; size: number }>(
  out: Array<{ path: string; size: number }>,
  found: T[],
  keep: (f: T) => boolean = () => true,
): void {
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of found) if (keep(f)) out.push({ path: f.path, size: f.size });
}

/** Whether the file `st` is seen for the first time (by device and inode); counts it as repeated if not. */
function firstTime(seen: Set<string>, st: BigIntStats, skipped: Skipped): boolean {
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) {
    skipped.repeated++;
    return false;
  }
  seen.add(key);
  return true;
}

function specialKind(st: Stats | BigIntStats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'a device or special file';
}

async function walk(
  dir: string,
  st: BigIntStats,
  out: Array<{ path: string; size: number; stats: BigIntStats }>,
  skipped: Skipped,
  seenDirs: Set<string>,
): Promise<void> {
  const key = `${st.dev}:${st.ino}`;
  if (seenDirs.has(key)) {
    skipped.repeated++;
    return;
  }
  seenDirs.add(key);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) {
      skipped.hidden++;
      continue;
    }
    const path = join(dir, e.name);
    let target: BigIntStats;
    try {
      target = e.isSymbolicLink() ? statSync(path, { bigint: true }) : lstatSync(path, { bigint: true });
    } catch {
      skipped.links++;
      continue;
    }
    if (target.isDirectory()) await walk(path, target, out, skipped, seenDirs);
    else if (target.isFile()) out.push({ path, size: Number(target.size), stats: target });
    else skipped.special++;
  }
}

function warnSkipped(s: Skipped): void {
  if (s.hidden + s.special + s.links > 0)
    process.stderr.write(
      `traceguard: skipped in directories: ${s.hidden} hidden, ${s.special} special (FIFO, socket, device), ${s.links} looping or broken symbolic link(s)\n`,
    );
  if (s.repeated > 0)
    process.stderr.write(
      `traceguard: read once: ${s.repeated} file(s) or folder(s) reached again (named twice, inside a named folder, or through a link)\n`,
    );
  const same = s.sameContent;
  if (same.length > 0) {
    // which were left out, and which file each repeats: whoever sent a batch twice finds both
    const named = same
      .slice(0, SAME_CONTENT_NAMED)
      .map((f) => `  ${terminalSafe(f.path)}: the same lines as ${terminalSafe(f.sameAs)}\n`);
    const more = same.length > SAME_CONTENT_NAMED ? `  and ${same.length - SAME_CONTENT_NAMED} more\n` : '';
    process.stderr.write(
      `traceguard: read once: ${same.length} file(s) with the same lines as another input under another name (a batch sent twice, gzipped, or with other line ends), not read:\n${named.join('')}${more}`,
    );
  }
}

/** files left out for their lines named one a line; a month of batches sent twice is not all listed */
const SAME_CONTENT_NAMED = 20;

/** A reference file's text; a FIFO or device is refused (reading one could block forever). */
export function readText(path: string, what: string): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${path}: ${what} is ${specialKind(st)}, not a file`);
    return textOf(readFileSync(path), path, what);
  } catch (e) {
    if (e instanceof UsageError) throw e;
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

/**
 * The reference files, parsed. `deferInventory`: the number inventory is read and parsed on first
 * use, for a run whose worker threads check calls against it themselves (they read the same file and
 * fail on the same errors): the main thread then needs it only if it reads the batch after all (a
 * fallback). At 20,000 customers its 119,000 numbers took a quarter of a second of this thread, on a
 * core the workers were using. An error in it is the same error, met at first use.
 */
export function loadReference(opts: ReferenceOptions, deferInventory = false): ReferenceData {
  const ref = emptyReference();
  const numbers = opts.numbers;
  asUsageError(() => {
    if (opts.customers)
      ref.customers = parseCustomers(readText(opts.customers, 'customer registry'), opts.customers);
    ref.declarations = declarationsOf(ref.customers.values());
    if (numbers && !deferInventory) ref.inventory = readInventory(numbers);
    if (opts.dno) ref.dno = parseDno(readText(opts.dno, 'DNO list'), opts.dno);
  });
  if (numbers && deferInventory) {
    let inventory: NumberInventory | null = null;
    Object.defineProperty(ref, 'inventory', {
      enumerable: true,
      get: () => {
        inventory ??= asUsageError(() => readInventory(numbers));
        return inventory;
      },
      set: (v: NumberInventory) => {
        inventory = v;
      },
    });
  }
  return ref;
}

function readInventory(path: string): NumberInventory {
  return parseInventory(readText(path, 'number inventory'), path);
}

/** What `fn` returns; any error it throws, as a UsageError with the same message. */
function asUsageError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
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

/**
 * The plausible time range from `--earliest` / `--latest` (ISO 8601 with offset, or epoch), each
 * defaulting to the built-in bound (2000-01-01, now + 1 day).
 */
export function parsePlausibility(opts: { earliest?: string; latest?: string }): Plausibility {
  const limits = defaultPlausibility();
  const read = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const ms = parseTimestamp(value, null);
    if (Number.isNaN(ms))
      throw new UsageError(`${flag} must be an ISO 8601 time with offset or epoch seconds, got '${value}'`);
    return ms;
  };
  limits.earliestMs = read('--earliest', opts.earliest, limits.earliestMs);
  limits.latestMs = read('--latest', opts.latest, limits.latestMs);
  if (limits.latestMs < limits.earliestMs) throw new UsageError('--latest is before --earliest');
  return limits;
}

export function parseZone(value: string | undefined): ZoneClock | null {
  if (!value) return null;
  const problem = switchZoneProblem(value);
  if (problem !== null) throw new UsageError(`--timezone: ${problem}`);
  return new ZoneClock(value);
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
  if (switchId !== undefined && named.length > 0 && !named.includes(switchId)) {
    const forAny = map.entries().some((e) => e.switchId === ANY_SWITCH);
    // a misspelt id would leave every native row without accountcode unattributed
    const problem = `--switch ${switchId}: ${path} has no entries for that switch (it maps ${named.join(', ')})`;
    if (!forAny) throw new UsageError(problem);
    process.stderr.write(`traceguard: ${problem}; only its '*' entries apply\n`);
  }
  return map.forSwitch(switchId ?? named[0] ?? '*');
}
