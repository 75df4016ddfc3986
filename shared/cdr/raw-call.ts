/**
 * A call as the switch wrote it, before normalization: the canonical fields as text.
 * Every format reader (canonical CSV, JSON Lines, Asterisk, FreeSWITCH) fills one of these.
 */
export interface RawCall {
  call_id: string;
  start_time: string;
  answer_time: string;
  end_time: string;
  duration_s: string;
  customer_id: string;
  trunk_id: string;
  calling_number: string;
  called_number: string;
  sip_code: string;
  disposition: string;
  attestation: string;
  verstat: string;
  source_ip: string;
  /** the columns the fields were read from, named in the row's quarantine reason */
  columns: SourceColumns;
}

/**
 * Marks a field the source format does not carry at all (not the same as empty): an attestation
 * that is not reported must not count as an unsigned call. A control character no CSV value holds.
 */
export const NOT_REPORTED = '\u0000';

export const CANONICAL_COLUMNS = [
  'call_id',
  'start_time',
  'answer_time',
  'end_time',
  'duration_s',
  'customer_id',
  'trunk_id',
  'calling_number',
  'called_number',
  'sip_code',
  'disposition',
  'attestation',
  'verstat',
  'source_ip',
] as const satisfies ReadonlyArray<keyof RawCall>;

export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/**
 * The name, in the file, of the column each field was read from: a quarantine reason names what the
 * switch wrote (an Asterisk row's `billsec`, not `duration_s`), or whoever reads it looks for a column
 * the file does not have.
 */
export type SourceColumns = Readonly<Record<CanonicalColumn, string>>;

/** Canonical CSV and JSON Lines: each field is read from the column of its own name. */
export const CANONICAL_SOURCE: SourceColumns = Object.fromEntries(
  CANONICAL_COLUMNS.map((c) => [c, c]),
) as Record<CanonicalColumn, string>;

export const REQUIRED_COLUMNS: readonly CanonicalColumn[] = [
  'call_id',
  'start_time',
  'customer_id',
  'calling_number',
  'called_number',
];

export function emptyRawCall(): RawCall {
  return {
    call_id: '',
    start_time: '',
    answer_time: '',
    end_time: '',
    duration_s: '',
    customer_id: '',
    trunk_id: '',
    calling_number: '',
    called_number: '',
    sip_code: '',
    disposition: '',
    attestation: '',
    verstat: '',
    source_ip: '',
    columns: CANONICAL_SOURCE,
  };
}
