import { z } from 'zod';
import type { CustomerAttribution } from '../cdr/attribution.ts';
import { BatchReadError, INPUT_FORMATS, type InputFormat } from '../cdr/batch-parser.ts';
import { CsvTokenizer } from '../cdr/csv-tokenizer.ts';
import { switchZoneProblem, ZoneClock } from '../cdr/time.ts';
import { NO_TRUNK_MAP, type TrunkMap } from './trunks.ts';

/**
 * Per-switch input configuration (docs/switch-config.md): how to read the batches a switch drops
 * under `cdr/<switch_id>/`. CSV with a header `switch_id,format,timezone` (any order, any case;
 * other columns are ignored). Native PBX exports (Asterisk cdr_csv, FreeSWITCH mod_cdr_csv) carry
 * local wall-clock times without an offset, so they cannot be read without the switch's zone.
 */

export const SWITCH_CONFIG_COLUMNS = ['switch_id', 'format', 'timezone'] as const;

/** Formats whose times are local wall-clock times: reading them needs a zone. */
const LOCAL_TIME_FORMATS: ReadonlySet<InputFormat> = new Set(['asterisk', 'freeswitch']);

export class SwitchConfigError extends Error {
  override name = 'SwitchConfigError';
}

export const switchRowSchema = z
  .object({
    switch_id: z
      .string()
      .trim()
      .min(1, 'is empty')
      .regex(/^[^/\s]+$/, 'must be one key segment (the part after cdr/): no "/" and no spaces'),
    format: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(INPUT_FORMATS, { error: `must be one of ${INPUT_FORMATS.join(', ')}` })),
    timezone: z
      .string()
      .trim()
      .superRefine((zone, ctx) => {
        const problem = zone === '' ? null : switchZoneProblem(zone);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: `${problem}, or leave it empty` });
      }),
  })
  .superRefine((row, ctx) => {
    if (LOCAL_TIME_FORMATS.has(row.format) && row.timezone === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: `is required: ${row.format} CDRs carry local wall-clock times without an offset`,
      });
    }
  });

/** One configured switch. */
export interface SwitchEntry {
  switchId: string;
  format: InputFormat;
  /** IANA zone of the switch's local times; null when its batches carry offsets (or epoch times) */
  timezone: string | null;
  /** line of the configuration file it came from (error messages) */
  line: number;
}

/** How to read one switch's batches: what readBatch takes as `format`, `zone` and `attribution`. */
export interface SwitchReadSettings {
  format: InputFormat;
  zone: ZoneClock | null;
  /** customers of native rows without accountcode, from the switch's trunk map */
  attribution: CustomerAttribution;
  /** false for a switch without an entry: detected format, no zone */
  configured: boolean;
}

/**
 * The validated configuration; switches without an entry keep the defaults (auto, no zone). The
 * trunk map rides along: it is read with the switch entries and applies to configured and
 * unconfigured switches alike.
 */
export class SwitchConfig {
  readonly #entries = new Map<string, SwitchEntry>();
  readonly #settings = new Map<string, SwitchReadSettings>();
  readonly trunks: TrunkMap;

  constructor(entries: SwitchEntry[] = [], trunks: TrunkMap = NO_TRUNK_MAP) {
    this.trunks = trunks;
    for (const e of entries) {
      this.#entries.set(e.switchId, e);
      // one ZoneClock per switch: it caches offsets, so batches of the same switch share it
      this.#settings.set(e.switchId, {
        format: e.format,
        zone: e.timezone === null ? null : new ZoneClock(e.timezone),
        attribution: trunks.forSwitch(e.switchId),
        configured: true,
      });
    }
  }

  /** the same switch entries with this trunk map */
  withTrunks(trunks: TrunkMap): SwitchConfig {
    return new SwitchConfig(this.entries(), trunks);
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): SwitchEntry[] {
    return [...this.#entries.values()];
  }

  settingsFor(switchId: string): SwitchReadSettings {
    return (
      this.#settings.get(switchId) ?? {
        format: 'auto',
        zone: null,
        attribution: this.trunks.forSwitch(switchId),
        configured: false,
      }
    );
  }

  /** One phrase for error messages: what the configuration says about this switch. */
  describe(switchId: string): string {
    const e = this.#entries.get(switchId);
    if (!e)
      return `switch '${switchId}' has no entry in the switch configuration (format auto, no time zone)`;
    return `switch '${switchId}' is configured as format ${e.format}, time zone ${e.timezone ?? 'none'}`;
  }

  /**
   * A batch of this switch that cannot be read, said with the fix for what went wrong (ingest's
   * message, and `traceguard upload`'s check before it): for a layout or a missing time zone, what the
   * configuration holds for the switch, since the fix is usually an entry there; for a cut-short gzip,
   * sending the file again; for a file that is not CDRs at all, nothing the configuration could change.
   */
  unreadable(error: BatchReadError, switchId: string): BatchReadError {
    const fix =
      error.kind === 'gzip'
        ? ' [the file is cut short or not gzip; upload the whole file again]'
        : error.kind === 'file'
          ? ''
          : ` [${this.describe(switchId)}; see docs/switch-config.md, traceguard switches import]`;
    return new BatchReadError(`${error.message}${fix}`, { cause: error, kind: error.kind });
  }
}

export const NO_SWITCH_CONFIG = new SwitchConfig();

/** Where the configuration comes from (S3 with a cache in the functions; a Map in tests). */
export interface SwitchConfigSource {
  switches(): Promise<SwitchConfig>;
}

/** Parses and validates the whole document; the first problem throws, naming line, switch and field. */
export function parseSwitchConfig(text: string, source: string): SwitchConfig {
  const entries: SwitchEntry[] = [];
  const seen = new Map<string, number>();
  let header: string[] | null = null;
  const tokenizer = new CsvTokenizer({
    record(rec) {
      const fields = Array.from({ length: rec.count }, (_, i) => rec.field(i).trim());
      if (header === null) {
        header = fields.map((f) => f.toLowerCase().replace(/^\uFEFF/, ''));
        const missing = SWITCH_CONFIG_COLUMNS.filter((c) => !header?.includes(c));
        if (missing.length > 0)
          throw new SwitchConfigError(
            `${source}: line ${rec.line}: header lacks ${missing.join(', ')} (expected ${SWITCH_CONFIG_COLUMNS.join(',')})`,
          );
        return;
      }
      const cells: Record<string, string> = {};
      header.forEach((name, i) => {
        cells[name] = fields[i] ?? '';
      });
      const where = `${source}: line ${rec.line}: switch '${cells.switch_id ?? ''}'`;
      const parsed = switchRowSchema.safeParse(cells);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new SwitchConfigError(`${where}: ${issue.path.join('.') || 'row'} ${issue.message}`);
      }
      const row = parsed.data;
      const earlier = seen.get(row.switch_id);
      if (earlier !== undefined)
        throw new SwitchConfigError(`${where}: switch_id is listed twice (first on line ${earlier})`);
      seen.set(row.switch_id, rec.line);
      entries.push({
        switchId: row.switch_id,
        format: row.format,
        timezone: row.timezone === '' ? null : row.timezone,
        line: rec.line,
      });
    },
    bad(line, reason) {
      throw new SwitchConfigError(`${source}: line ${line}: ${reason}`);
    },
  });
  tokenizer.push(Buffer.from(text, 'utf8'));
  tokenizer.end();
  if (header === null)
    throw new SwitchConfigError(`${source}: empty file (expected a header switch_id,format,timezone)`);
  return new SwitchConfig(entries);
}
