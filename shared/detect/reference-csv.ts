import { CsvTokenizer } from '../cdr/csv-tokenizer.ts';

/**
 * What the reference-data parsers share (docs/input-contract.md): the error they throw, naming the
 * source and line, and the reader of a headed CSV file.
 */
export class ReferenceDataError extends Error {
  override name = 'ReferenceDataError';
}

/** Rows of a CSV file with a header, as objects keyed by lower-cased header names. */
export function csvObjects(
  text: string,
  source: string,
  required: string[],
): Array<{ line: number; row: Record<string, string> }> {
  const out: Array<{ line: number; row: Record<string, string> }> = [];
  eachCsvObject(text, source, required, (line, row) => {
    out.push({ line, row });
  });
  return out;
}

/**
 * csvObjects one row at a time, none kept: a number inventory runs to 100,000 rows and more, parsed by
 * every thread that checks calls, and holding them all until the last was read made the collector
 * copy each row and its strings before they were dropped. Returns whether the text had a header
 * line at all (an empty file has none).
 */
export function eachCsvObject(
  text: string,
  source: string,
  required: string[],
  fn: (line: number, row: Record<string, string>) => void,
): boolean {
  let header: string[] | null = null;
  const tok = new CsvTokenizer({
    record(rec) {
      if (!header) {
        header = Array.from({ length: rec.count }, (_, i) => rec.field(i).trim().toLowerCase());
        const missing = required.filter((c) => !header?.includes(c));
        if (missing.length)
          throw new ReferenceDataError(`${source}: line ${rec.line}: header lacks ${missing.join(', ')}`);
        return;
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) row[header[i]] = i < rec.count ? rec.field(i).trim() : '';
      fn(rec.line, row);
    },
    bad(line, reason) {
      throw new ReferenceDataError(`${source}: line ${line}: ${reason}`);
    },
  });
  tok.push(Buffer.from(text, 'utf8'));
  tok.end();
  return header !== null;
}
