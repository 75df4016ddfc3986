import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BatchRef } from '../traceback/batches.ts';
import type { BatchOpener } from '../traceback/lookup.ts';

/**
 * Opens an archived batch as a stream (never buffered whole). The exact version the manifest
 * recorded is read, so a later overwrite of the key cannot change the evidence.
 */
export class S3BatchOpener implements BatchOpener {
  readonly #s3: S3Client;
  readonly #defaultBucket: string;
  /** objects opened (tests check that lookups stay pruned) */
  readonly opened: string[] = [];

  constructor(s3: S3Client, defaultBucket: string) {
    this.#s3 = s3;
    this.#defaultBucket = defaultBucket;
  }

  async open(batch: BatchRef): Promise<AsyncIterable<Uint8Array>> {
    const bucket = batch.bucket ?? this.#defaultBucket;
    this.opened.push(`${bucket}/${batch.name}`);
    const out = await this.#s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: batch.name, VersionId: batch.versionId }),
    );
    if (!out.Body) throw new Error(`s3://${bucket}/${batch.name}: empty response body`);
    return out.Body as AsyncIterable<Uint8Array>;
  }
}
