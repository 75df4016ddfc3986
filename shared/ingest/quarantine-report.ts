import { z } from 'zod';
import { quarantineKeyOf } from './keys.ts';

/** One unusable row as ingest writes it to a batch's quarantine object (part-collector.ts). */
const quarantineRowSchema = z.object({ line: z.number(), reason: z.string(), raw: z.string() });
export type QuarantineRow = z.infer<typeof quarantineRowSchema>;

/**
 * Which part of the batch `batchKey` a quarantine object holds (0 for the first, n for
 * `.part-<n>`), or null when it is another batch's (`a.csv.gz` shares the prefix of `a.csv`).
 */
export function quarantinePartOf(batchKey: string, objectKey: string): number | null {
  const first = quarantineKeyOf(batchKey, 0);
  if (objectKey === first) return 0;
  const m = /^\.part-([1-9]\d*)$/.exec(objectKey.slice(first.length));
  return objectKey.startsWith(first) && m ? Number(m[1]) : null;
}

/** The rows of a quarantine object, one JSON object a line; a line that is not one is named as such. */
export function quarantineRows(body: string): QuarantineRow[] {
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = quarantineRowSchema.safeParse(safeJson(line));
      return parsed.success ? parsed.data : { line: 0, reason: 'not a quarantine record', raw: line };
    });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
