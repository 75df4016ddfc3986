import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { quarantineKeyOf } from '../ingest/keys.ts';
import { type QuarantineRow, quarantinePartOf, quarantineRows } from '../ingest/quarantine-report.ts';

/** One quarantine object of a batch: the rows ingest could not use in one part of it. */
export interface QuarantinePart {
  part: number;
  /** s3://bucket/quarantine/<batch key>[.part-n] */
  object: string;
  writtenAt: string | null;
  rows: QuarantineRow[];
}

/**
 * The quarantine objects ingest wrote for the batch under `batchKey` in the CDR bucket, part by part
 * (none: no row was unusable, or ingest has not read the batch yet).
 */
export async function readQuarantine(
  s3: S3Client,
  bucket: string,
  batchKey: string,
): Promise<QuarantinePart[]> {
  const found: Array<{ key: string; part: number; writtenAt: string | null }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: quarantineKeyOf(batchKey, 0),
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      const part = quarantinePartOf(batchKey, String(o.Key));
      if (part !== null)
        found.push({ key: String(o.Key), part, writtenAt: o.LastModified?.toISOString() ?? null });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  found.sort((a, b) => a.part - b.part);
  const parts: QuarantinePart[] = [];
  for (const f of found) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: f.key }));
    const body = out.Body ? await out.Body.transformToString('utf8') : '';
    parts.push({
      part: f.part,
      object: `s3://${bucket}/${f.key}`,
      writtenAt: f.writtenAt,
      rows: quarantineRows(body),
    });
  }
  return parts;
}
