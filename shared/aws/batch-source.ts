import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BatchObject, BatchSource } from '../ingest/ports.ts';
import { S3CallError } from './s3-call-error.ts';

/** S3 says the object or this version of it is gone, or was overwritten since the event. */
const GONE = new Set(['NoSuchKey', 'NoSuchVersion', 'PreconditionFailed', 'NotFound']);

/**
 * CDR objects from S3: reads exactly the version the event named (VersionId, or If-Match on the
 * etag for an unversioned bucket) as a stream, and writes quarantine objects. Never writes, moves
 * or deletes the batch itself.
 */
export class S3BatchSource implements BatchSource {
  readonly #s3: S3Client;

  constructor(s3: S3Client) {
    this.#s3 = s3;
  }

  async open(object: BatchObject): Promise<AsyncIterable<Uint8Array> | null> {
    try {
      const out = await this.#s3.send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.versionId
            ? { VersionId: object.versionId }
            : object.etag
              ? { IfMatch: `"${object.etag}"` }
              : {}),
        }),
      );
      if (!out.Body) return null;
      return out.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (GONE.has(e.name ?? '') || e.$metadata?.httpStatusCode === 412) return null;
      // a missing permission or a key policy says AccessDenied, and not for which object
      throw new S3CallError('GetObject', object.bucket, object.key, null, error);
    }
  }

  async writeQuarantine(bucket: string, key: string, body: string): Promise<void> {
    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson; charset=utf-8',
        }),
      );
    } catch (error) {
      throw new S3CallError('PutObject', bucket, key, Buffer.byteLength(body), error);
    }
  }
}
