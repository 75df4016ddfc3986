import { z } from 'zod';
import { quarantineKeyOf } from './keys.ts';
import type { ManifestBatch } from './ports.ts';

/** One unusable row as ingest writes it to a batch's quarantine object (part-collector.ts). */
const quarantineRowSchema = z.object({
  line: z.number(),
  reason: z.string(),
  raw: z.string(),
  // written by ingest since it tells them; a row without is masked whole
  ids: z.object({ fields: z.number(), at: z.array(z.number()) }).optional(),
});
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

/**
 * Whether the latest ingest of a batch wrote the quarantine object of part `part`: its manifest (the
 * batch now under the key) records rows quarantined in that part. An object of a part it quarantined
 * nothing in, or never reached (the earlier upload under the key was longer), was left as it was by an
 * earlier ingest of the key: ingest writes one only for a part with rows to quarantine.
 */
export function writtenByLatestIngest(latest: Pick<ManifestBatch, 'parts'> | null, part: number): boolean {
  return (latest?.parts[String(part)]?.quarantined ?? 0) > 0;
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
