import type { RawCall } from './raw-call.ts';

/**
 * How normalizeCall reads a start_time in the hour a clock change repeats (01:30 twice when clocks go
 * back), the same wall time for two instants an hour apart: as the one `createdMs` points at, the
 * moment the switch made the call as the row writes it unambiguously (Asterisk's uniqueid), else as
 * the first of the two, as it was read before. `guessed` tells, for the row just read, that it was the
 * first for want of such evidence; the batch counts those rows and says so once.
 */
export class RepeatedHour {
  guessed = false;
  readonly createdMs: (raw: RawCall) => number;
  constructor(createdMs: (raw: RawCall) => number = () => Number.NaN) {
    this.createdMs = createdMs;
  }
}

/**
 * The operator's line for a batch some of whose calls started in the hour a clock change repeats and
 * were read as its first occurrence for want of evidence (RepeatedHour.guessed), or null when none
 * were: said once per batch, as unattributed rows are, rather than row by row. `where` names the
 * batch (and its switch), `rows` is every data row read, `zone` the zone the times were read in.
 */
export function repeatedHourSummary(
  where: string,
  guessed: number,
  rows: number,
  zone: string,
): string | null {
  if (guessed === 0) return null;
  return (
    `${guessed} of ${rows} rows in ${where} start in the hour that ${zone} lives twice when its clocks go back, ` +
    'and nothing in them tells which of the two: each is read as the first, an hour early if the call was in the second; ' +
    'have the switch write its times in UTC or with their offset'
  );
}
