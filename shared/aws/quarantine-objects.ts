import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { batchIdOf, quarantineKeyOf } from '../ingest/keys.ts';
import type { ManifestBatch, ManifestStore } from '../ingest/ports.ts';
import {
  type QuarantineRow,
  quarantinePartOf,
  quarantineRows,
  writtenByLatestIngest,
} from '../ingest/quarantine-report.ts';
import { versionIdOf } from './reconcile-store.ts';

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

/** A batch's quarantine objects, told apart by the ingest that wrote them. */
export interface BatchQuarantine {
  /** the batch now under the key (`<bucket>/<key>#<version or etag>`), null when the key holds none */
  batchId: string | null;
  /**
   * its ingest as the manifest records it: done, still reading it, not started (`unread`), or failed:
   * the batch could not be read at all (`failure` says why); `none`: no batch is under the key
   */
  ingest: ManifestBatch['status'] | 'unread' | 'failed' | 'none';
  /** why ingest could not read the batch, when it failed */
  failure: string | null;
  /** the batch's rows, calls counted and rows quarantined, once done (rows = calls + quarantined) */
  totals: ManifestBatch['totals'];
  /** the objects the latest ingest wrote: the parts its manifest records rows quarantined in */
  parts: QuarantinePart[];
  /** objects an earlier ingest of the key left (an earlier upload under it), not about the batch there now */
  earlier: QuarantinePart[];
  /** why ingest refused the batch, nothing of it counted (it changes a batch counted under the key); else null */
  refused: string | null;
  /** the batch whose content this one repeats (the same bytes, or lines), which counted its calls; else null */
  repeatOf: string | null;
}

/**
 * The quarantine objects of the batch under `batchKey`, split by what the manifest of the batch now
 * under the key records: ingest overwrites only the parts it quarantines rows in, so an earlier upload
 * under the same key with more parts (or rows where the new one has none) leaves objects behind.
 */
export async function readBatchQuarantine(
  s3: S3Client,
  manifest: Pick<ManifestStore, 'get'>,
  bucket: string,
  batchKey: string,
): Promise<BatchQuarantine> {
  const [batchId, all] = await Promise.all([
    currentBatchId(s3, bucket, batchKey),
    readQuarantine(s3, bucket, batchKey),
  ]);
  const latest = batchId === null ? null : await manifest.get(batchId);
  return {
    batchId,
    ingest: ingestOf(batchId, latest),
    failure: latest?.status === 'done' ? null : (latest?.failure ?? null),
    totals: latest?.totals ?? null,
    parts: all.filter((p) => writtenByLatestIngest(latest, p.part)),
    earlier: all.filter((p) => !writtenByLatestIngest(latest, p.part)),
    refused: latest?.refused ?? null,
    repeatOf: latest?.repeatOf ?? null,
  };
}

function ingestOf(batchId: string | null, latest: ManifestBatch | null): BatchQuarantine['ingest'] {
  if (batchId === null) return 'none';
  if (latest === null) return 'unread';
  return latest.status === 'processing' && latest.failure !== null ? 'failed' : latest.status;
}

/** The batch id ingest gives the object now under `key` (null when there is none). */
async function currentBatchId(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return batchIdOf({ bucket, key, versionId: versionIdOf(head), etag: String(head.ETag ?? '') });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return null;
    throw error;
  }
}
