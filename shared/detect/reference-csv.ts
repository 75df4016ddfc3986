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
  let header: string[] | null = null;
  const tok = new CsvTokenizer({
    record(rec) {
      const fields = Array.from({ length: rec.count }, (_, i) => rec.field(i).trim());
      if (!header) {
        header = fields.map((f) => f.toLowerCase());
        const missing = required.filter((c) => !header?.includes(c));
        if (missing.length)
          throw new ReferenceDataError(`${source}: line ${rec.line}: header lacks ${missing.join(', ')}`);
        return;
      }
      const row: Record<string, string> = {};
      header.forEach((h, i) => {
        row[h] = fields[i] ?? '';
      });
      out.push({ line: rec.line, row });
    },
    bad(line, reason) {
      throw new ReferenceDataError(`${source}: line ${line}: ${reason}`);
    },
  });
  tok.push(Buffer.from(text, 'utf8'));
  tok.end();
  return out;
}
