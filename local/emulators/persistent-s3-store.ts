import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FauxqsModules, FauxqsS3Object, FauxqsS3Store } from './fauxqs-internals.ts';

/** What the S3 event glue needs to know about a stored object. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  eventName: 'ObjectCreated:Put' | 'ObjectCreated:CompleteMultipartUpload';
}

interface StoredMeta {
  key: string;
  contentType: string;
  etag: string;
  lastModified: string;
  metadata: Record<string, string>;
}

/** One file pair per object, named by a hash of the key, so any key (slashes, spaces, 1 KB long) fits. */
function objectFileBase(root: string, bucket: string, key: string): string {
  return join(root, bucket, createHash('sha256').update(key).digest('hex'));
}

/**
 * fauxqs keeps objects only in memory. This store writes every object through to `<dataDir>/s3/` and
 * reloads it on start, and reports each created object so the S3 event glue can deliver notifications.
 */
export function createPersistentS3Store(
  fauxqs: FauxqsModules,
  root: string,
  onObjectCreated: (event: ObjectCreated) => void,
): FauxqsS3Store {
  class PersistentS3Store extends fauxqs.S3Store {
    loading = false;

    override createBucket(name: string): void {
      super.createBucket(name);
      mkdirSync(join(root, name), { recursive: true });
    }

    override putObject(
      bucket: string,
      key: string,
      body: Buffer,
      contentType?: string,
      metadata?: Record<string, string>,
    ): FauxqsS3Object {
      const stored = super.putObject(bucket, key, body, contentType, metadata);
      if (!this.loading) {
        persist(bucket, stored);
        onObjectCreated({
          bucket,
          key,
          size: stored.contentLength,
          eTag: stored.etag,
          eventName: 'ObjectCreated:Put',
        });
      }
      return stored;
    }

    override completeMultipartUpload(uploadId: string, parts: unknown): FauxqsS3Object {
      const upload = this.multipartUploads.get(uploadId);
      const stored = super.completeMultipartUpload(uploadId, parts);
      if (upload) {
        persist(upload.bucket, stored);
        onObjectCreated({
          bucket: upload.bucket,
          key: upload.key,
          size: stored.contentLength,
          eTag: stored.etag,
          eventName: 'ObjectCreated:CompleteMultipartUpload',
        });
      }
      return stored;
    }

    override deleteObject(bucket: string, key: string): void {
      super.deleteObject(bucket, key);
      const base = objectFileBase(root, bucket, key);
      rmSync(`${base}.bin`, { force: true });
      rmSync(`${base}.json`, { force: true });
    }
  }

  function persist(bucket: string, stored: FauxqsS3Object): void {
    const base = objectFileBase(root, bucket, stored.key);
    mkdirSync(join(root, bucket), { recursive: true });
    writeFileSync(`${base}.bin`, stored.body);
    const meta: StoredMeta = {
      key: stored.key,
      contentType: stored.contentType,
      etag: stored.etag,
      lastModified: stored.lastModified.toISOString(),
      metadata: stored.metadata,
    };
    writeFileSync(`${base}.json`, JSON.stringify(meta));
  }

  const store = new PersistentS3Store();
  mkdirSync(root, { recursive: true });
  store.loading = true;
  for (const bucket of readdirSync(root, { withFileTypes: true })) {
    if (!bucket.isDirectory()) continue;
    store.createBucket(bucket.name);
    for (const file of readdirSync(join(root, bucket.name))) {
      if (!file.endsWith('.json')) continue;
      const metaPath = join(root, bucket.name, file);
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as StoredMeta;
      const body = readFileSync(metaPath.replace(/\.json$/, '.bin'));
      const restored = store.putObject(bucket.name, meta.key, body, meta.contentType, meta.metadata);
      restored.lastModified = new Date(meta.lastModified);
      restored.etag = meta.etag;
    }
  }
  store.loading = false;
  return store;
}
