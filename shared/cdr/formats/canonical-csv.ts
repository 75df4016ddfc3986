import type { CsvRecord } from '../csv-tokenizer.ts';
import {
  CANONICAL_COLUMNS,
  CANONICAL_SOURCE,
  type CanonicalColumn,
  emptyRawCall,
  NOT_REPORTED,
  type RawCall,
  REQUIRED_COLUMNS,
  type SourceColumns,
} from '../raw-call.ts';

/** Column positions of the canonical fields in a CSV batch, from its header. */
export type ColumnMap = Partial<Record<CanonicalColumn, number>>;

export function headerNames(rec: CsvRecord): string[] {
  const names: string[] = [];
  for (let i = 0; i < rec.count; i++) names.push(rec.field(i).trim().toLowerCase());
  return names;
}

export function isCanonicalHeader(names: string[]): boolean {
  return positionsOf(names, 'call_id').length > 0 && positionsOf(names, 'start_time').length > 0;
}

/**
 * Whether a record's names (headerNames) are a header line's, met among a canonical batch's rows
 * (files concatenated): two or more name canonical columns (canonicalColumnOf), whether or not they
 * are all the batch needs. One such name alone could be a value.
 */
export function namesColumns(names: string[]): boolean {
  let named = 0;
  for (const name of names) if (canonicalColumnOf(name) !== undefined && ++named >= 2) return true;
  return false;
}

/** a header name without the separators exporters put between its words */
function withoutSeparators(name: string): string {
  return name.replace(/[\s_.-]+/g, '');
}

/**
 * The canonical column a JSON key or header name spells (any case; spaces, hyphens, dots or nothing
 * between its words), or undefined for another name.
 */
export function canonicalColumnOf(name: string): CanonicalColumn | undefined {
  return COLUMN_BY_LETTERS.get(withoutSeparators(name.trim().toLowerCase()));
}

/** each canonical column by its letters alone: JSON Lines asks per key of every row */
const COLUMN_BY_LETTERS = new Map(CANONICAL_COLUMNS.map((col) => [withoutSeparators(col), col]));

/**
 * Where the header names column `col`: under its own name, or, when no column has that name, under the
 * same letters written with spaces, hyphens, dots or no separator at all (`Call ID`, `call-id`,
 * `CallID`), as other exporters write their headers. The exact name wins, so a batch that worked with
 * it is read as before even if another column happens to spell the same letters.
 */
function positionsOf(names: string[], col: CanonicalColumn): number[] {
  const exact = names.flatMap((n, i) => (n === col ? [i] : []));
  if (exact.length > 0) return exact;
  const letters = withoutSeparators(col);
  return names.flatMap((n, i) => (withoutSeparators(n) === letters ? [i] : []));
}

/**
 * Maps header names (any order, any case, unknown columns ignored) to canonical columns.
 * Returns the list of required columns that are missing, and the canonical columns the header names
 * more than once (`customer_id twice (columns 6 and 15)`: no row can say which one holds the value), so
 * the caller can fail the batch loudly.
 */
export function mapHeader(names: string[]): { map: ColumnMap; missing: CanonicalColumn[]; twice: string[] } {
  const map: ColumnMap = {};
  const twice: string[] = [];
  for (const col of CANONICAL_COLUMNS) {
    const at = positionsOf(names, col).map((i) => i + 1);
    if (at.length === 0) continue;
    map[col] = at[0] - 1;
    if (at.length > 1)
      twice.push(
        `${col} ${at.length === 2 ? 'twice' : `${at.length} times`} (columns ${at.slice(0, -1).join(', ')} and ${at[at.length - 1]})`,
      );
  }
  const missing = REQUIRED_COLUMNS.filter((c) => map[c] === undefined);
  return { map, missing, twice };
}

/** The columns that hold ids: where phone numbers are masked, these stay as written (IdFields). */
const ID_COLUMNS: readonly CanonicalColumn[] = ['call_id', 'customer_id', 'trunk_id'];

/** Where the header puts the columns that hold ids, in field order. */
export function idFieldsOf(map: ColumnMap): number[] {
  return ID_COLUMNS.flatMap((col) => (map[col] === undefined ? [] : [map[col]])).sort((a, b) => a - b);
}

/**
 * The name a row's reasons give each column: the header's own where it spells the column another way
 * (`Called Number`), so that whoever reads the reason finds the column in the file; the contract's
 * name where the header writes that, in any case.
 */
export function sourceColumnsOf(rec: CsvRecord, map: ColumnMap): SourceColumns {
  const columns: Record<string, string> = { ...CANONICAL_SOURCE };
  for (const col of CANONICAL_COLUMNS) {
    const at = map[col];
    if (at === undefined) continue;
    const written = rec.field(at).trim();
    if (written.toLowerCase() !== col) columns[col] = written;
  }
  return columns as SourceColumns;
}

export function canonicalRow(
  rec: CsvRecord,
  map: ColumnMap,
  width: number,
  columns: SourceColumns = CANONICAL_SOURCE,
): RawCall {
  if (rec.count !== width) {
    throw new RangeError(`has ${rec.count} fields, the header has ${width}`);
  }
  const raw = emptyRawCall();
  raw.columns = columns;
  for (const col of CANONICAL_COLUMNS) {
    const idx = map[col];
    if (idx !== undefined) raw[col] = rec.field(idx);
  }
  if (map.attestation === undefined) raw.attestation = NOT_REPORTED;
  // a NUL written in the column is data, not the "not reported" mark
  else if (raw.attestation === NOT_REPORTED) throw new RangeError('attestation holds a NUL character');
  return raw;
}
